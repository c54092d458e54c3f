/** Handshake cases: what the client presents when it opens the speech WebSocket (spec section 3). */
import { type Case, check } from "../case.ts";
import { accepted, describeErrors, errors, handshakes, issued, keyLeaks, list, recognized, reusedConnectionIds } from "../evidence.ts";
import { closeAtSecondTurn } from "./faults.ts";

export const handshakeCases: Case[] = [
  {
    id: "handshake.token",
    level: "MUST",
    title: "The handshake carries the exact token issued, in Authorization",
    spec: "spec 3: handshake and authentication",
    requires: ["token"],
    judge: (e) => {
      const tags = new Set(issued(e).map((r) => r.tokenTag));
      const hs = handshakes(e);
      return [
        check(hs.length > 0, "the client opened a connection", () => describeErrors(e)),
        check(
          hs.every((h) => h.credential.kind === "token"),
          "every handshake presents a token",
          () => list(hs.map((h) => h.credential.kind)),
          hs,
        ),
        check(
          hs.every((h) => h.tokenTag !== undefined && tags.has(h.tokenTag)),
          "the token is one the token service issued, unaltered",
          () => `${hs.filter((h) => !tags.has(h.tokenTag)).length} handshakes presented a token the mock did not issue`,
          () => [...issued(e), ...hs],
        ),
      ];
    },
  },
  {
    id: "handshake.bearer",
    level: "SHOULD",
    title: "The token is sent as Authorization: Bearer <token>",
    // A bare JWT is accepted by the service: SDKs up to 1.18 and the 2017 browser SDK sent one.
    spec: "spec 3: handshake and authentication; spec 7: a bare token is accepted (auth.bare_token)",
    requires: ["token"],
    judge: (e) => {
      const hs = handshakes(e).filter((h) => h.credential.kind === "token");
      return [
        check(hs.length > 0, "the client presented a token", () => describeErrors(e)),
        check(
          hs.every((h) => /^bearer /i.test(h.credential.value ?? "")),
          "every handshake presents Authorization: Bearer <token>",
          () => list(hs.map((h) => h.credential.value ?? h.credential.kind)),
          hs,
        ),
      ];
    },
  },
  {
    id: "handshake.no-key",
    level: "MUST",
    title: "The subscription key is not sent to the WebSocket when a token is used",
    spec: "spec 3: handshake and authentication",
    requires: ["token"],
    judge: (e) => {
      const hs = handshakes(e);
      const leaks = keyLeaks(hs);
      return [
        check(hs.length > 0, "the client opened a connection", () => describeErrors(e)),
        check(leaks.length === 0, "no handshake carries the subscription key", () => `found: ${list(leaks)}`),
      ];
    },
  },
  {
    id: "handshake.connection-id",
    level: "MUST",
    title: "Each connection has its own X-ConnectionId, a UUID without dashes",
    spec: "spec 3: handshake (X-ConnectionId)",
    plan: { sessions: 2 },
    judge: (e) => {
      const ids = handshakes(e).map((h) => h.connectionId);
      return [
        check(
          ids.length === 2 && ids.every((id) => id !== undefined && /^[0-9a-fA-F]{32}$/.test(id)),
          "both handshakes carry 32 hex digits",
          () => `connection ids: ${list(ids.map(String))}; ${describeErrors(e)}`,
        ),
        check(new Set(ids).size === ids.length, "no two connections share one", () => list(ids.map(String)), handshakes(e)),
      ];
    },
  },
  {
    id: "handshake.connection-id-fresh",
    // Not a MUST: the service accepts a reused id, and Microsoft's JS SDK reuses it for every attempt
    // of a connect and for a reconnect (ServiceRecognizerBase.retryableConnect). A new id per
    // handshake is what lets a service-side log tell the attempts apart.
    level: "SHOULD",
    title: "Every handshake carries a new X-ConnectionId, retries and reconnects included",
    spec: "spec 3: handshake (X-ConnectionId names one connection in the service's logs)",
    requires: ["reconnect"],
    plan: { turns: 2 },
    setup: {
      faults: [
        // The first handshake is refused (the client retries it), and the connection is closed
        // 1000 as the second turn begins (the client reconnects): three handshakes in all.
        { target: "handshake", times: 1, action: { kind: "refuse", status: 403 } },
        closeAtSecondTurn,
      ],
    },
    judge: (e) => {
      const hs = handshakes(e);
      const reused = reusedConnectionIds(e);
      return [
        check(
          hs.length >= 3 && accepted(e).length >= 2,
          "the client retried the refused handshake and reconnected after the close",
          () => `${hs.length} handshakes, ${accepted(e).length} accepted; ${describeErrors(e)}`,
        ),
        check(reused.length === 0, "no two handshakes share an X-ConnectionId", () => `reused: ${list(reused)}`, hs),
      ];
    },
  },
  {
    id: "handshake.forbidden",
    level: "MUST",
    title: "A 403 handshake is surfaced as an auth failure after at most 2 attempts",
    spec: "spec 3: failure status",
    setup: { faults: [{ target: "handshake", action: { kind: "refuse", status: 403 } }] },
    judge: (e) => {
      const refused = e.journal.filter((j) => j.type === "fault" && j.target === "handshake");
      return [
        check(
          errors(e).some((x) => x.kind === "auth" && (x.status === undefined || x.status === 403)),
          "the client reports an auth failure (403)",
          () => describeErrors(e),
        ),
        check(
          refused.length >= 1 && refused.length <= 2,
          "it tries the handshake at most twice",
          () => `${refused.length} handshakes`,
          refused,
        ),
      ];
    },
  },
  {
    id: "handshake.expired-token",
    level: "MUST",
    title: "After a 403 for an expired token, the client fetches a new one and succeeds",
    spec: "spec 2 and 3: token lifetime, failure status",
    requires: ["token"],
    setup: {
      // The first token is expired by the time it is used: the clock jumps 11 minutes the moment it is issued.
      during: (mock) => {
        let jumped = false;
        return mock.journal.subscribe((entry) => {
          if (!jumped && entry.type === "sts.request" && entry.status === 200) {
            jumped = true;
            mock.clock.advance(11 * 60_000);
          }
        });
      },
    },
    judge: (e) => {
      const hs = handshakes(e);
      const first = hs[0];
      const tokens = issued(e);
      const ok = accepted(e);
      return [
        check(
          first?.reason === "auth.token_expired",
          "the first handshake is refused for the expired token",
          () => `first handshake: ${first?.reason ?? "none"}`,
          () => handshakes(e),
        ),
        check(tokens.length >= 2, "the client then fetches a new token", () => `${tokens.length} token issued`),
        check(
          ok.length === 1 && ok[0]?.tokenTag === tokens[1]?.tokenTag,
          "and connects with it",
          () => `${ok.length} accepted; ${describeErrors(e)}`,
          () => [...issued(e), ...handshakes(e)].sort((a, b) => a.seq - b.seq),
        ),
        check(
          recognized(e).some((r) => r.text === e.expectedText),
          "and recognizes the audio",
          () => describeErrors(e),
        ),
      ];
    },
  },
];
