/**
 * The control plane of the real `speechmock` process, on Node and on Deno: health, the OpenAPI
 * document generated from the route table, and the journal of what the mock saw and did.
 */
import t from "tap";
import { connect, handshakeWith, readClip } from "../../test/support/protocol-client.ts";
import { runtimes, spawnMock } from "../../test/support/spawn.ts";
import * as z from "../zod.ts";
import { clockAdvance } from "./routes/clock.ts";
import { journalQuery } from "./routes/journal.ts";

type Entry = Record<string, unknown> & { seq: number; type: string; at: number; wall: number };
type JournalPage = { entries: Entry[]; size: number; capacity: number; dropped: number };

const getJson = async (url: string, init?: RequestInit) => {
  const res = await fetch(url, init);
  return { status: res.status, headers: res.headers, body: (await res.json()) as Record<string, unknown> };
};

for (const runtime of runtimes) {
  t.test(`on ${runtime}`, async (t) => {
    const [mock, small] = await Promise.all([spawnMock(runtime), spawnMock(runtime, ["--journal-size", "5"])]);
    t.teardown(async () => {
      await Promise.all([mock.stop(), small.stop()]);
    });
    const { admin } = mock.ready;
    const key = mock.ready.resources[0]?.keys[0] as string;
    const journal = async (query = "") => (await getJson(`${admin}/journal${query}`)).body as unknown as JournalPage;

    t.test("health answers 200 once listening", async (t) => {
      const { status, body, headers } = await getJson(`${admin}/health`);
      t.equal(status, 200);
      t.same(body, { status: "ok" });
      t.match(headers.get("content-type"), /^application\/json/);
    });

    t.test("the OpenAPI document lists every endpoint, its query schema generated from the validating schema", async (t) => {
      const { status, body } = await getJson(`${admin}/openapi.json`);
      t.equal(status, 200);
      t.equal(body.openapi, "3.1.0");
      const paths = body.paths as Record<string, Record<string, { parameters?: { name: string; schema: unknown }[] }>>;
      t.same(Object.keys(paths).sort(), [
        "/__speechmock/clock",
        "/__speechmock/clock/advance",
        "/__speechmock/faults",
        "/__speechmock/faults/{id}",
        "/__speechmock/health",
        "/__speechmock/journal",
        "/__speechmock/journal/stream",
        "/__speechmock/openapi.json",
        "/__speechmock/reset",
        "/__speechmock/resources",
        "/__speechmock/resources/{name}",
        "/__speechmock/resources/{name}/regenerate-key",
        "/__speechmock/transcripts/next",
        "/__speechmock/transcripts/{sha256}",
        "/__speechmock/voices",
        "/__speechmock/voices/{shortName}",
      ]);
      t.same(Object.keys(paths["/__speechmock/clock"] ?? {}).sort(), ["delete", "get", "put"]);
      t.match(paths["/__speechmock/faults/{id}"]?.delete?.parameters, [{ name: "id", in: "path", required: true }]);
      const advance = (
        paths["/__speechmock/clock/advance"] as Record<string, { requestBody?: { content: Record<string, { schema: unknown }> } }>
      ).post;
      const { $schema: _drop, ...advanceSchema } = z.toJSONSchema(clockAdvance) as Record<string, unknown>;
      t.same(advance?.requestBody?.content["application/json"]?.schema, advanceSchema, "the body schema is the validating schema's");
      t.same(Object.keys(paths["/__speechmock/journal"] ?? {}).sort(), ["delete", "get"]);
      const properties = (z.toJSONSchema(journalQuery) as { properties: Record<string, unknown> }).properties;
      const parameters = paths["/__speechmock/journal"]?.get?.parameters ?? [];
      t.same(
        Object.fromEntries(parameters.map((p) => [p.name, p.schema])),
        properties,
        "each query parameter's schema is the validating schema's",
      );
      const streamParameters = paths["/__speechmock/journal/stream"]?.get?.parameters ?? [];
      t.same(Object.fromEntries(streamParameters.map((p) => [p.name, p.schema])), properties, "the stream takes the same query");
    });

    t.test("the journal records a token request, a handshake and a turn's messages, with no whole key", async (t) => {
      const since = (await journal()).entries.at(-1)?.seq ?? 0;
      const res = await fetch(mock.ready.sts, { method: "POST", headers: { "Ocp-Apim-Subscription-Key": key } });
      t.equal(res.status, 200);
      await res.text();
      const client = await connect(mock.ready.ws, key);
      client.sendConfig();
      await client.turn(readClip("hello.wav"));
      await client.close();
      await mock.waitForLog((l) => l.event === "socket.close" && l.connectionId === client.connectionId);

      const page = await journal(`?since=${since}`);
      t.ok(
        page.entries.every((e) => e.seq > since),
        "since: only newer entries",
      );
      const sts = page.entries.find((e) => e.type === "sts.request");
      t.match(sts, { method: "POST", status: 200, reason: "sts.issued", keySource: "header", resource: "speechmock-westus" });
      t.notOk(JSON.stringify(page).includes(key), "no whole key anywhere in the journal");
      t.match(sts?.key, /^7e57c0…\(32\)$/, "the key as a prefix and a length");
      t.match(sts?.headers, { "ocp-apim-subscription-key": /^7e57c0…\(32\)$/, host: String }, "its headers, the key reduced the same way");

      const mine = await journal(`?connectionId=${client.connectionId}`);
      const types = new Set(mine.entries.map((e) => e.type));
      for (const type of ["handshake", "message", "turn", "close"]) t.ok(types.has(type), `the connection's ${type} entries`);
      t.notOk(types.has("violation"), "and no violation");
      t.match(mine.entries[0], { type: "handshake", decision: "accept", status: 101, credential: { kind: "key", source: "header" } });
      const out = mine.entries.filter((e) => e.type === "message" && e.direction === "out").map((e) => e.path);
      t.equal(out[0], "turn.start");
      t.equal(out.at(-1), "turn.end");
      t.ok(
        mine.entries.every((e) => typeof e.at === "number" && typeof e.wall === "number"),
        "every entry has the mock's time and the wall time",
      );
      t.match(mine.entries.at(-1), { type: "close", initiator: "client", code: 1000 });

      const handshakes = await journal(`?type=handshake&connectionId=${client.connectionId}`);
      t.equal(handshakes.entries.length, 1, "type and connectionId together");
      const issued = await journal(`?since=${since}&outcome=sts.issued`);
      t.same(
        issued.entries.map((e) => e.type),
        ["sts.request"],
        "outcome: a reason code",
      );
      const accepted = await journal(`?since=${since}&outcome=accept`);
      t.same(
        accepted.entries.map((e) => e.connectionId),
        [client.connectionId],
        "outcome: a decision",
      );
      const normal = await journal(`?since=${since}&type=close&outcome=1000`);
      t.same(
        normal.entries.map((e) => e.connectionId),
        [client.connectionId],
        "outcome: a close code",
      );
      const last = await journal("?limit=1");
      t.equal(last.entries.length, 1);
      t.equal(last.entries[0]?.seq, page.entries.at(-1)?.seq, "limit keeps the newest");
    });

    t.test("each invalid query is refused with 400, naming the field, the value and what was expected", async (t) => {
      const cases: [string, { field: string; value: unknown; expected: RegExp }][] = [
        ["type=bogus", { field: "type", value: "bogus", expected: /Expected an entry type/ }],
        ["since=-1", { field: "since", value: -1, expected: /Expected a sequence number, 0 or more/ }],
        ["since=abc", { field: "since", value: "abc", expected: /expected number/ }],
        ["limit=0", { field: "limit", value: 0, expected: /Expected a limit of 1 or more/ }],
        ["connectionId=xyz", { field: "connectionId", value: "xyz", expected: /32 hex digits/ }],
        ["colour=red", { field: "colour", value: "red", expected: /no such field/ }],
        ["outcome=", { field: "outcome", value: "", expected: /Expected an outcome such as/ }],
      ];
      for (const [query, problem] of cases) {
        const { status, body } = await getJson(`${admin}/journal?${query}`);
        t.equal(status, 400, query);
        t.match(body, { error: { code: "ERR_REQUEST_INVALID", problems: [problem] } }, query);
        t.match(
          (body.error as { message: string }).message,
          `Invalid query field ${problem.field}: ${JSON.stringify(problem.value)}: `,
          query,
        );
      }
    });

    t.test("the journal is bounded, counts what it dropped, and DELETE empties it", async (t) => {
      for (let i = 0; i < 8; i++) await (await fetch(small.ready.sts, { method: "POST" })).text();
      const full = (await getJson(`${small.ready.admin}/journal`)).body as unknown as JournalPage;
      t.equal(full.capacity, 5);
      t.equal(full.size, 5);
      t.equal(full.entries.length, 5);
      t.ok(full.dropped >= 3, `dropped ${full.dropped}`);
      const deleted = await fetch(`${small.ready.admin}/journal`, { method: "DELETE", headers: { "Content-Type": "application/json" } });
      t.equal(deleted.status, 204);
      const empty = (await getJson(`${small.ready.admin}/journal`)).body as unknown as JournalPage;
      t.same([empty.size, empty.dropped, empty.entries], [0, 0, []]);
    });

    t.test("the clock: read, set, frozen, advanced and put back on system time", async (t) => {
      const send = (method: string, path: string, body?: unknown) =>
        getJson(`${admin}${path}`, {
          method,
          headers: { "Content-Type": "application/json" },
          ...(body === undefined ? {} : { body: typeof body === "string" ? body : JSON.stringify(body) }),
        });
      const before = await getJson(`${admin}/clock`);
      t.match(before.body, { mode: "system", offsetMs: Number });
      t.ok(Math.abs((before.body.now as number) - Date.now()) < 5_000, "system time");
      const frozen = await send("PUT", "/clock", { time: "2030-01-01T00:00:00Z", frozen: true });
      t.same(frozen.body, { now: Date.UTC(2030, 0, 1), iso: "2030-01-01T00:00:00.000Z", mode: "frozen", offsetMs: frozen.body.offsetMs });
      const advanced = await send("POST", "/clock/advance", { by: "1h30m" });
      t.equal(advanced.body.iso, "2030-01-01T01:30:00.000Z");
      t.equal((await send("POST", "/clock/advance", { by: 250 })).body.iso, "2030-01-01T01:30:00.250Z", "or milliseconds");
      const running = await send("PUT", "/clock", { time: Date.UTC(2031, 5, 1) });
      t.equal(running.body.mode, "offset");
      const back = await send("DELETE", "/clock");
      t.equal(back.body.mode, "system");
      t.equal(back.body.offsetMs, 0);
    });

    t.test("each invalid clock body is refused with 400, naming the field, the value and what was expected", async (t) => {
      const cases: [string, string, string, { field: string; expected: RegExp }][] = [
        [
          "POST",
          "/clock/advance",
          JSON.stringify({ by: "9x" }),
          { field: "by", expected: /Expected a duration such as 9m, 30s, 1h30m or 250ms/ },
        ],
        [
          "POST",
          "/clock/advance",
          JSON.stringify({ by: 0 }),
          { field: "by", expected: /Expected a whole number of milliseconds, 1 or more/ },
        ],
        ["POST", "/clock/advance", JSON.stringify({}), { field: "by", expected: /Expected a duration/ }],
        ["PUT", "/clock", JSON.stringify({ time: "yesterday" }), { field: "time", expected: /ISO 8601/ }],
        ["PUT", "/clock", JSON.stringify({ time: "2030-01-01T00:00:00Z", frozen: "yes" }), { field: "frozen", expected: /Expected true/ }],
        ["PUT", "/clock", JSON.stringify({ time: 0, speed: 2 }), { field: "speed", expected: /no such field/ }],
        ["PUT", "/clock", "{not json", { field: "(body)", expected: /Expected a JSON object/ }],
      ];
      for (const [method, path, body, problem] of cases) {
        const res = await getJson(`${admin}${path}`, { method, headers: { "Content-Type": "application/json" }, body });
        t.equal(res.status, 400, `${method} ${path} ${body}`);
        t.match(res.body, { error: { code: "ERR_REQUEST_INVALID", problems: [problem] } }, `${method} ${path} ${body}`);
      }
      t.equal((await getJson(`${admin}/clock`)).body.mode, "system", "nothing moved");
    });

    t.test("advancing the clock 10 minutes expires a token: the old one is refused with auth.token_expired", async (t) => {
      t.teardown(() =>
        fetch(`${admin}/clock`, { method: "DELETE", headers: { "Content-Type": "application/json" } }).then((r) => r.text()),
      );
      const token = await (await fetch(mock.ready.sts, { method: "POST", headers: { "Ocp-Apim-Subscription-Key": key } })).text();
      const handshake = () => handshakeWith(mock.ready.ws, { Authorization: `Bearer ${token}` });
      t.same(await handshake(), { status: 101 }, "accepted now");
      await fetch(`${admin}/clock/advance`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ by: "10m" }),
      }).then((r) => r.text());
      t.same(await handshake(), { status: 403, reason: "auth.token_expired" }, "refused 10 minutes later");
    });

    t.test("advancing the clock past the idle limit closes an idle connection at once", async (t) => {
      t.teardown(() =>
        fetch(`${admin}/clock`, { method: "DELETE", headers: { "Content-Type": "application/json" } }).then((r) => r.text()),
      );
      const client = await connect(mock.ready.ws, key);
      client.sendConfig();
      // The config travels on the socket and the advance on another connection: wait until the
      // mock has the config, so the connection is idle when the clock jumps (not mid-message).
      for (let tries = 0; tries < 100; tries++) {
        const seen = await journal(`?connectionId=${client.connectionId}&type=message`);
        if (seen.entries.some((e) => e.path === "speech.config")) break;
        await new Promise((r) => setTimeout(r, 10));
      }
      await fetch(`${admin}/clock/advance`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ by: "3m1s" }),
      }).then((r) => r.text());
      t.same(await client.closed, { code: 1000, reason: "Idle timeout exceeded (180 s)." });
    });

    t.test("the control plane answers its own 404 and 405, never the service's", async (t) => {
      const missing = await getJson(`${admin}/nothing`);
      t.equal(missing.status, 404);
      t.match(missing.body, {
        error: { code: "ERR_NOT_FOUND", message: "No control endpoint /__speechmock/nothing; see /__speechmock/openapi.json" },
      });
      const wrong = await getJson(`${admin}/journal`, { method: "POST", headers: { "Content-Type": "application/json" } });
      t.equal(wrong.status, 405);
      t.equal(wrong.headers.get("allow"), "GET, DELETE");
      t.match(wrong.body, { error: { code: "ERR_METHOD_NOT_ALLOWED" } });
    });
  });
}
