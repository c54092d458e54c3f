import t from "tap";
import { faultRule } from "../faults/rules.ts";
import * as z from "../zod.ts";
import { audioSummary, closeSummary, type Entry, outcomeOf, relativeTime, requestSummary, streamQuery, turnText } from "./format.ts";
import { SseParser } from "./sse.ts";
import { faultTemplates } from "./templates.ts";

const entry = (fields: Record<string, unknown>): Entry => ({ seq: 1, at: 0, type: "turn", ...fields }) as Entry;

t.test("relative times read as a person says them, past and future", async (t) => {
  t.equal(relativeTime(400), "just now");
  t.equal(relativeTime(12_500), "12 s ago");
  t.equal(relativeTime(3 * 60_000 + 5), "3 min ago");
  t.equal(relativeTime(2 * 3_600_000), "2 h ago");
  t.equal(relativeTime(-2 * 3_600_000), "in 2 h", "an entry ahead of the clock (it was moved back)");
  t.equal(relativeTime(3 * 86_400_000), "3 d ago");
});

t.test("a turn shows its text, its audio, and its status when nothing was recognised", async (t) => {
  const end = entry({
    phase: "end",
    status: "Success",
    text: "Remind me to buy 5 pencils.",
    audioMs: 2069,
    audioMessages: 23,
    audioBytes: 66_244,
  });
  t.equal(turnText(end), "Remind me to buy 5 pencils.");
  t.equal(audioSummary(end), "2.07 s · 23 messages · 64.7 KiB");
  t.equal(turnText(entry({ phase: "end", status: "NoMatch" })), "(NoMatch)");
  t.equal(audioSummary(entry({ audioMs: 250, audioMessages: 1, audioBytes: 900 })), "250 ms · 1 message · 900 B");
});

t.test("requests show their decision and reason code", async (t) => {
  const rejected = entry({
    type: "handshake",
    decision: "reject",
    status: 401,
    reason: "auth.token_expired",
    region: "westus",
    path: "/p",
  });
  t.strictSame(requestSummary(rejected), { what: "handshake westus /p", decision: "reject 401", reason: "auth.token_expired" });
  t.equal(outcomeOf(rejected), "refused");
  const issued = entry({ type: "sts.request", method: "POST", region: "westus", status: 200, reason: "sts.issued" });
  t.strictSame(requestSummary(issued), { what: "token POST westus", decision: "200", reason: "sts.issued" });
  t.equal(outcomeOf(issued), "ok");
  const fault = entry({ type: "fault", rule: "fault-1", target: "sts", action: "respond", status: 429 });
  t.strictSame(requestSummary(fault), { what: "fault fault-1 on sts", decision: "fired: respond 429", reason: "fault.injected" });
  t.equal(
    closeSummary(entry({ type: "close", initiator: "server", code: 1007, reason: "Quota exceeded." })),
    "server closed: 1007 Quota exceeded.",
  );
});

t.test("the page's filter is the journal's query", async (t) => {
  t.equal(streamQuery({}), "");
  t.equal(streamQuery({ type: "turn", outcome: "reject", allMessages: true }, 42), "?type=turn&outcome=reject&messages=all&since=42");
});

t.test("the event-stream parser takes events split anywhere, skips comments, joins data lines", async (t) => {
  const parser = new SseParser();
  t.strictSame(parser.push(": keep-alive\n\nevent: entry\nid: 7\nda"), []);
  t.strictSame(parser.push('ta: {"seq":7}\n\nevent: ready\r\ndata: a\r\ndata: b\r\n\r\n'), [
    { event: "entry", id: "7", data: '{"seq":7}' },
    { event: "ready", data: "a\nb" },
  ]);
});

t.test("every fault template is a rule the control plane takes", async (t) => {
  for (const template of faultTemplates) {
    t.ok(z.safeParse(faultRule, template.rule).success, template.id);
  }
});
