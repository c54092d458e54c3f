/**
 * Fault rules of the control plane, on the real command under Node and Deno: each action against
 * plain HTTP and WebSocket clients, counts, seeded probabilities, scoping, and every firing in the
 * journal.
 */
import t from "tap";
import WebSocket from "ws";
import { connect, handshakeWith, newId, readClip } from "../../test/support/protocol-client.ts";
import { runtimes, spawnMock } from "../../test/support/spawn.ts";

const json = { "Content-Type": "application/json" };

for (const runtime of runtimes) {
  t.test(`on ${runtime}`, async (t) => {
    const mock = await spawnMock(runtime);
    t.teardown(() => mock.stop().then(() => undefined));
    const { admin, sts } = mock.ready;
    const westus = mock.ready.resources.find((r) => r.name === "speechmock-westus")?.keys[0] as string;
    const addRule = async (rule: unknown) => {
      const res = await fetch(`${admin}/faults`, { method: "POST", headers: json, body: JSON.stringify(rule) });
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    };
    const issue = async (key = westus, signal?: AbortSignal) => {
      const res = await fetch(sts, { method: "POST", headers: { "Ocp-Apim-Subscription-Key": key }, signal });
      return { status: res.status, headers: res.headers, body: await res.text() };
    };
    const faultEntries = async () =>
      ((await (await fetch(`${admin}/journal?type=fault`)).json()) as { entries: Record<string, unknown>[] }).entries;
    t.afterEach(async () => {
      await fetch(`${admin}/faults`, { method: "DELETE", headers: json });
    });

    t.test("a 429 with Retry-After reaches a plain fetch client, as many times as the rule says", async (t) => {
      const added = await addRule({ target: "sts", times: 1, action: { kind: "respond", status: 429, headers: { "Retry-After": "7" } } });
      t.equal(added.status, 201);
      t.match(added.body, { id: /^fault-\d+$/, fired: 0, target: "sts" });
      const first = await issue();
      t.equal(first.status, 429);
      t.equal(first.headers.get("retry-after"), "7");
      t.equal(first.headers.get("access-control-allow-origin"), "*", "still a token-service answer, CORS and all");
      const second = await issue();
      t.equal(second.status, 200, "spent after one firing");
      t.equal(second.body.split(".").length, 3);
      const listed = (await (await fetch(`${admin}/faults`)).json()) as { faults: Record<string, unknown>[] };
      t.match(listed.faults, [{ id: added.body.id, fired: 1 }]);
      t.match((await faultEntries()).at(-1), {
        type: "fault",
        target: "sts",
        rule: added.body.id,
        action: "respond",
        status: 429,
        resource: "speechmock-westus",
      });
    });

    t.test("a status, body and headers answer exactly as given", async (t) => {
      const body = '{"error":{"code":"401","message":"Access denied due to invalid subscription key or wrong API endpoint."}}';
      await addRule({ target: "sts", action: { kind: "respond", status: 401, body, headers: { "X-Extra": "yes" } } });
      const res = await issue();
      t.same([res.status, res.body, res.headers.get("x-extra")], [401, body, "yes"]);
    });

    t.test("a rule for one resource leaves the others alone", async (t) => {
      await addRule({ target: "sts", resource: "speechmock-eastus-free", action: { kind: "respond", status: 503 } });
      t.equal((await issue()).status, 200, "westus is untouched");
      const eastus = mock.ready.resources.find((r) => r.name === "speechmock-eastus-free")?.keys[0] as string;
      const res = await fetch(sts, { method: "POST", headers: { "Ocp-Apim-Subscription-Key": eastus } });
      t.equal(res.status, 503, "eastus gets the fault, whatever its region check would have said");
      await res.text();
    });

    t.test("a rule for one key leaves the resource's other key alone", async (t) => {
      const secondary = mock.ready.resources.find((r) => r.name === "speechmock-westus")?.keys[1] as string;
      await addRule({ target: "sts", key: westus, action: { kind: "respond", status: 500 } });
      t.equal((await issue(westus)).status, 500);
      t.equal((await issue(secondary)).status, 200);
    });

    t.test("a delay answers as usual, no sooner than the delay", async (t) => {
      await addRule({ target: "sts", times: 1, action: { kind: "delay", ms: 300 } });
      const started = performance.now();
      const res = await issue();
      t.equal(res.status, 200);
      t.ok(performance.now() - started >= 290, "not before the delay");
    });

    t.test("a hang never answers; the client gives up and the firing is journaled", async (t) => {
      const rule = await addRule({ target: "sts", times: 1, action: { kind: "hang" } });
      const outcome = await issue(westus, AbortSignal.timeout(300)).then(
        (r) => `answered ${r.status}`,
        (err: Error) => err.name,
      );
      t.equal(outcome, "TimeoutError");
      t.match((await faultEntries()).at(-1), { rule: rule.body.id, action: "hang" });
      t.equal((await issue()).status, 200, "the mock still serves everyone else");
    });

    t.test("a reset drops the connection mid-answer: the client's read fails with a socket error", async (t) => {
      await addRule({ target: "sts", times: 1, action: { kind: "reset" } });
      const outcome = await fetch(sts, { method: "POST", headers: { "Ocp-Apim-Subscription-Key": westus } }).then(
        (res) =>
          res.text().then(
            (body) => `read ${body.length} bytes`,
            (err: Error & { cause?: { code?: string } }) => err.cause?.code ?? err.message,
          ),
        (err: Error & { cause?: { code?: string } }) => err.cause?.code ?? err.message,
      );
      t.equal(outcome, "UND_ERR_SOCKET");
      t.match((await faultEntries()).at(-1), { target: "sts", action: "reset" });
      t.equal((await issue()).status, 200, "the next request is served");
    });

    t.test("a handshake refused by a rule gets its status and X-Speechmock-Reason fault.injected; other connections open", async (t) => {
      const target = newId();
      await addRule({ target: "handshake", connectionId: target, action: { kind: "refuse", status: 503 } });
      const attempt = (connectionId: string) =>
        handshakeWith(mock.ready.ws, { "Ocp-Apim-Subscription-Key": westus, "X-ConnectionId": connectionId });
      t.same(await attempt(target), { status: 503, reason: "fault.injected" });
      t.same(await attempt(newId()), { status: 101 }, "another connection id opens");
      t.match((await faultEntries()).at(-1), { target: "handshake", action: "refuse", status: 503, connectionId: target });
    });

    t.test("a handshake delay opens the socket no sooner than the delay; a hang never answers", async (t) => {
      const open = (timeoutMs: number) =>
        new Promise<string>((resolve) => {
          const ws = new WebSocket(`${mock.ready.ws}/speech/recognition/interactive/cognitiveservices/v1?language=en-US`, {
            headers: { "Ocp-Apim-Subscription-Key": westus, "X-ConnectionId": newId() },
            handshakeTimeout: timeoutMs,
          });
          ws.on("open", () => {
            ws.terminate();
            resolve("open");
          });
          ws.on("error", (err) => resolve(err.message));
        });
      await addRule({ target: "handshake", times: 1, action: { kind: "delay", ms: 300 } });
      const started = performance.now();
      t.equal(await open(5_000), "open");
      t.ok(performance.now() - started >= 290, "not before the delay");
      await addRule({ target: "handshake", times: 1, action: { kind: "hang" } });
      t.equal(await open(300), "Opening handshake has timed out");
      t.same(
        (await faultEntries()).slice(-2).map((e) => [e.target, e.action]),
        [
          ["handshake", "delay"],
          ["handshake", "hang"],
        ],
      );
      t.equal(await open(5_000), "open", "the next handshake is served");
    });

    t.test("a message rule closes a socket after N audio messages, mid-turn, with its code and reason", async (t) => {
      await addRule({
        target: "message",
        path: "audio",
        after: 5,
        times: 1,
        action: { kind: "close", code: 1011, reason: "Injected mid-turn." },
      });
      const client = await connect(mock.ready.ws, westus);
      client.sendConfig();
      client.sendTurn(readClip("remind-me.wav"));
      t.same(await client.closed, { code: 1011, reason: "Injected mid-turn." });
      t.notOk(
        client.messages.some((m) => m.path === "turn.end"),
        "the turn never ended",
      );
      t.match((await faultEntries()).at(-1), {
        target: "message",
        action: "close",
        path: "audio",
        code: 1011,
        connectionId: client.connectionId,
      });
      const next = await connect(mock.ready.ws, westus);
      next.sendConfig();
      const messages = await next.turn(readClip("hello.wav"));
      t.equal(messages.at(-1)?.path, "turn.end", "other connections are served");
      await next.close();
    });

    t.test("a turnStart rule fires on a turn's first audio message: with after 1, as the second turn begins", async (t) => {
      await addRule({
        target: "message",
        path: "audio",
        turnStart: true,
        after: 1,
        times: 1,
        action: { kind: "close", code: 1000, reason: "Closed at the second turn." },
      });
      const client = await connect(mock.ready.ws, westus);
      client.sendConfig();
      const first = await client.turn(readClip("hello.wav"));
      t.equal(first.at(-1)?.path, "turn.end", "the first turn, all its audio messages included, is untouched");
      client.sendTurn(readClip("hello.wav"));
      t.same(await client.closed, { code: 1000, reason: "Closed at the second turn." });
      t.match((await faultEntries()).at(-1), { target: "message", action: "close", path: "audio", code: 1000 });
    });

    t.test("a malformed-message rule sends the client a message with no blank line after its headers", async (t) => {
      await addRule({ target: "message", path: "speech.config", times: 1, action: { kind: "malformed" } });
      const ws = new WebSocket(`${mock.ready.ws}/speech/recognition/interactive/cognitiveservices/v1?language=en-US`, {
        headers: { "Ocp-Apim-Subscription-Key": westus, "X-ConnectionId": newId() },
      });
      await new Promise((resolve, reject) => ws.once("open", resolve).once("error", reject));
      const received = new Promise<string>((resolve) => ws.once("message", (data) => resolve(String(data))));
      const id = newId();
      ws.send(
        `Path: speech.config\r\nX-RequestId: ${id}\r\nX-Timestamp: ${new Date().toISOString()}\r\nContent-Type: application/json\r\n\r\n{}`,
      );
      const text = await received;
      t.notMatch(text, "\r\n\r\n", "no blank line");
      t.match(text, `X-RequestId: ${id}`);
      ws.close();
    });

    t.test("a seeded probability fires the same requests on every run", async (t) => {
      const pattern = async () => {
        await fetch(`${admin}/faults`, { method: "DELETE", headers: json });
        await addRule({ target: "sts", probability: 0.5, seed: 42, action: { kind: "respond", status: 500 } });
        const statuses: number[] = [];
        for (let i = 0; i < 16; i++) statuses.push((await issue()).status);
        return statuses;
      };
      const first = await pattern();
      t.same(await pattern(), first, "the same seed, the same firings");
      t.ok(first.includes(500) && first.includes(200), `some fire, some do not: ${first.join(" ")}`);
    });

    t.test("rules are removed one by one or all at once", async (t) => {
      const a = await addRule({ target: "sts", action: { kind: "hang" } });
      await addRule({ target: "handshake", action: { kind: "delay", ms: 5 } });
      t.equal((await fetch(`${admin}/faults/${a.body.id}`, { method: "DELETE", headers: json })).status, 204);
      const again = await fetch(`${admin}/faults/${a.body.id}`, { method: "DELETE", headers: json });
      t.equal(again.status, 404);
      t.match(await again.json(), { error: { code: "ERR_NOT_FOUND" } });
      t.equal((await fetch(`${admin}/faults`, { method: "DELETE", headers: json })).status, 204);
      t.same(await (await fetch(`${admin}/faults`)).json(), { faults: [] });
    });

    t.test("each invalid rule is refused with 400, naming the field, the value and what was expected", async (t) => {
      const cases: [unknown, { field: string; expected: RegExp }][] = [
        [{ action: { kind: "hang" } }, { field: "target", expected: /discriminator|Expected/ }],
        [
          { target: "sts", action: { kind: "respond", status: 99 } },
          { field: "action.status", expected: /Expected an HTTP status from 200 to 599/ },
        ],
        [
          { target: "sts", action: { kind: "refuse", status: 503 } },
          { field: "action.kind", expected: /'respond' \| 'delay' \| 'hang'/ },
        ],
        [
          { target: "sts", probability: 0, action: { kind: "hang" } },
          { field: "probability", expected: /Expected a probability above 0/ },
        ],
        [
          { target: "sts", times: 0, action: { kind: "hang" } },
          { field: "times", expected: /Expected 1 or more/ },
        ],
        [
          { target: "sts", colour: "red", action: { kind: "hang" } },
          { field: "colour", expected: /no such field/ },
        ],
        [
          { target: "handshake", connectionId: "xyz", action: { kind: "hang" } },
          { field: "connectionId", expected: /32 hex digits/ },
        ],
      ];
      for (const [rule, problem] of cases) {
        const res = await addRule(rule);
        t.equal(res.status, 400, JSON.stringify(rule));
        t.match(res.body, { error: { code: "ERR_REQUEST_INVALID", problems: [problem] } }, JSON.stringify(rule));
      }
      t.same(await (await fetch(`${admin}/faults`)).json(), { faults: [] }, "nothing was added");
    });
  });
}
