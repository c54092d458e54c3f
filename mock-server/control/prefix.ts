/**
 * Where the control plane lives. The service's own paths start with `/sts/`, `/speech/` and
 * `/stt/`; a double underscore (as WireMock's `/__admin`) can never be one of them.
 */
export const controlPrefix = "/__speechmock";
