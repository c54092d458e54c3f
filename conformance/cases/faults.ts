/** Fault rules more than one case sets up. */
import type { FaultRuleInput } from "../../mock-server/faults/rules.ts";

/**
 * The service closes the connection 1000 as the second turn begins: at that turn's first audio
 * message, which every client sends (`speech.context` is optional).
 */
export const closeAtSecondTurn: FaultRuleInput = {
  target: "message",
  path: "audio",
  turnStart: true,
  after: 1,
  times: 1,
  action: { kind: "close", code: 1000, reason: "Connection closed by the service." },
};
