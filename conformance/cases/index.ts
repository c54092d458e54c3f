import type { Case } from "../case.ts";
import { handshakeCases } from "./handshake.ts";
import { liveCases } from "./live.ts";
import { protocolCases } from "./protocol.ts";
import { restCases } from "./rest.ts";
import { resultCases } from "./results.ts";
import { tokenCases } from "./token.ts";
import { ttsCases } from "./tts.ts";
import { ttsWebSocketCases } from "./tts-websocket.ts";

/** Every case, in the order they run and are listed. Ids are stable: reports and expectation files name them. */
export const allCases: readonly Case[] = [
  ...tokenCases,
  ...handshakeCases,
  ...protocolCases,
  ...resultCases,
  ...liveCases,
  ...restCases,
  ...ttsCases,
  ...ttsWebSocketCases,
];
