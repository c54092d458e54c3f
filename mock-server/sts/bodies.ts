/**
 * The token service's error bodies, byte for byte as the gateway sends them (see
 * shared/spec/speech-service.md, section 1). Tests compare against these strings exactly.
 */

/** Current gateway wording, seen 2024; also the answer for a key used at another region's endpoint. */
export const invalidKeyBody =
  '{"error":{"code":"401","message":"Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide a valid key for an active subscription and use a correct regional API endpoint for your resource."}}';

/** Same gateway family's quota answer; `renewsIn` is `d.hh:mm:ss`. */
export const quotaExceededBody = (renewsIn: string): string =>
  `{"statusCode": 403, "message": "Out of call volume quota. Quota will be replenished in ${renewsIn}."}`;

/** Unconfirmed for the token service: the gateway's shape with a message naming the cause. */
export const resourceDisabledBody =
  '{"statusCode": 403, "message": "Access denied because the Cognitive Services resource is disabled. Make sure the resource is enabled in the Azure portal."}';

/** Unconfirmed: an Azure-shaped error for methods other than POST. */
export const methodNotAllowedBody = (method: string): string =>
  `{"error":{"code":"405","message":"The HTTP method '${method}' is not supported by this resource. Use POST."}}`;

/** The gateway's answer for a path it does not know. */
export const notFoundBody = '{ "statusCode": 404, "message": "Resource not found" }';

export const jsonHeaders = { "Content-Type": "application/json; charset=utf-8" } as const;
