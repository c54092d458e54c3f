import t from "tap";
import { cleanSampleReport, sampleReport, sampleResults, strictSampleReport } from "../../test/support/sample-report.ts";
import type { CaseResult, RunReport } from "../report.ts";
import { summarize } from "../report.ts";
import { junitReport } from "./junit.ts";

/**
 * Problems that make a document not well-formed XML 1.0, as far as this reporter's output can have
 * them: illegal characters, a stray `<` or `&`, unquoted or unbalanced tags, not one root.
 */
function wellFormedProblems(xml: string): string[] {
  const problems: string[] = [];
  const illegal = /[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]/u.exec(xml);
  if (illegal) problems.push(`illegal character U+${illegal[0].codePointAt(0)?.toString(16)} at ${illegal.index}`);
  const body = xml.replace(/^<\?xml[^?]*\?>\n/, "");
  const token = /<(\/?)([A-Za-z][\w.:-]*)((?:\s+[\w.:-]+="[^"<&]*(?:&(?:amp|lt|gt|quot|apos|#\d+);[^"<&]*)*")*)\s*(\/?)>|[<&]/g;
  const stack: string[] = [];
  let roots = 0;
  for (const m of body.matchAll(token)) {
    const [whole, close, name, , selfClosing] = m;
    if (whole === "&") {
      if (!/^&(?:amp|lt|gt|quot|apos|#\d+);/.test(body.slice(m.index))) problems.push(`stray & at ${m.index}`);
      continue;
    }
    if (whole === "<") {
      problems.push(`stray < at ${m.index}`);
      continue;
    }
    if (stack.length === 0) roots++;
    if (close) {
      if (stack.pop() !== name) problems.push(`</${name}> closes the wrong element`);
    } else if (!selfClosing) stack.push(name as string);
  }
  if (stack.length > 0) problems.push(`unclosed: ${stack.join(", ")}`);
  if (roots !== 1) problems.push(`${roots} root elements`);
  return problems;
}

/** One case's `<testcase>` element, as text (attribute values never hold a raw `>`). */
function testcase(xml: string, id: string): string {
  const named = xml.indexOf(`name="${id} `);
  if (named === -1) throw new Error(`no testcase for ${id}`);
  const start = xml.lastIndexOf("<testcase ", named);
  const tagEnd = xml.indexOf(">", start);
  return xml[tagEnd - 1] === "/"
    ? xml.slice(start, tagEnd + 1)
    : xml.slice(start, xml.indexOf("</testcase>", start) + "</testcase>".length);
}

t.test("one suite with the counts CI shows, then the run's properties", async (t) => {
  const xml = junitReport(sampleReport);
  t.strictSame(wellFormedProblems(xml), []);
  t.strictSame(xml.split("\n").slice(0, 4), [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<testsuites name="speechmock conformance" tests="9" failures="2" errors="2" skipped="2" time="35.712">',
    '  <testsuite name="speechmock conformance" tests="9" failures="2" errors="2" skipped="2" time="35.712" timestamp="2025-04-21T12:09:40.250Z">',
    "    <properties>",
  ]);
  t.match(xml, '<property name="client" value="node examples/client.js"/>');
  t.match(xml, '<property name="strict" value="false"/>');
  t.ok(xml.endsWith("  </testsuite>\n</testsuites>\n"));
  t.equal(xml.match(/<testcase /g)?.length, 9);
});

t.test("each outcome becomes the element CI counts it by", async (t) => {
  const xml = junitReport(sampleReport);
  t.match(xml, '<testcase classname="token" name="token.post Tokens are requested with POST to /sts/v1.0/issueToken" time="0.412">');
  t.notMatch(testcase(xml, "token.post"), /<(failure|error|skipped)/);
  t.match(
    testcase(xml, "token.reuse"),
    '<failure message="1 of 2 checks failed" type="FAIL">FAIL (MUST, spec 1: token lifetime): 1 of 2 checks failed\n✗ one token serves both connections\n  seen: 3 tokens issued\nclient: exit code 0</failure>',
  );
  t.match(testcase(xml, "token.reuse"), "<system-err>log line 1\n");
  t.match(
    testcase(xml, "token.retry-429"),
    '<skipped message="expected failure: retries at once instead of waiting Retry-After">FAIL (MUST',
  );
  t.notMatch(testcase(xml, "token.empty-body"), /<(failure|error|skipped)/, "NON-STRICT outside --strict passes");
  t.match(testcase(xml, "token.empty-body"), "<system-out>speechmock: NON-STRICT (SHOULD, spec 1: body): a SHOULD check failed\n");
  t.match(testcase(xml, "token.refresh"), '<skipped message="the client lacks the capability refresh"/>');
  t.match(testcase(xml, "handshake.bearer"), 'name="handshake.bearer The handshake carries Authorization: Bearer &lt;token&gt;"');
  t.match(testcase(xml, "handshake.bearer"), '<error message="the client exited with status 1" type="ERROR">');
  t.match(testcase(xml, "protocol.close-1000"), '<error message="the client did not exit within 30 s" type="TIMEOUT">');
  t.match(testcase(xml, "protocol.close-1000"), "client: killed by SIGKILL</error>");
  t.match(
    xml,
    '<testcase classname="expected-failures" name="stale expected failure: handshake.connection-id" time="0.000">\n' +
      '      <failure message="the case ran and did not fail: remove this entry from the expected-failures file" type="stale">reason: reused the connection id</failure>',
  );
});

t.test("under --strict the NON-STRICT result is a failure", async (t) => {
  const xml = junitReport(strictSampleReport);
  t.match(xml, '<testsuites name="speechmock conformance" tests="9" failures="3" errors="2" skipped="2"');
  t.match(
    testcase(xml, "token.empty-body"),
    '<failure message="a SHOULD check failed" type="NON-STRICT">NON-STRICT (SHOULD, spec 1: body)',
  );
});

t.test("a clean run has no failures or errors", async (t) => {
  const xml = junitReport(cleanSampleReport);
  t.match(xml, '<testsuites name="speechmock conformance" tests="3" failures="0" errors="0" skipped="1" time="1.288">');
});

t.test("tricky strings are escaped, and characters XML 1.0 cannot carry are replaced", async (t) => {
  const base = sampleResults[1] as CaseResult;
  const odd: CaseResult = {
    ...base,
    id: "odd.chars",
    title: `<&>"' ]]> end`,
    message: "nul\u0000here, bell\u0007, tab\tand\nnewline",
    checks: [{ ok: false, what: "a & b", seen: "\ud800 lone surrogate, \uffff, \u{1f600} emoji" }],
    client: { ...base.client, stdout: "\u001b[31mred\u001b[0m plain, a lone escape: \u001b\n", stderr: "x <y> & z\r\n" },
  };
  const report: RunReport = { ...sampleReport, client: 'a "b" <c>', results: [odd], stale: [], summary: summarize([odd], []) };
  const xml = junitReport(report);
  t.strictSame(wellFormedProblems(xml), []);
  t.match(xml, 'name="odd.chars &lt;&amp;&gt;&quot;&apos; ]]&gt; end"');
  t.match(xml, '<failure message="nul\ufffdhere, bell\ufffd, tab&#9;and&#10;newline" type="FAIL">');
  t.match(xml, "\n✗ a &amp; b\n  seen: \ufffd lone surrogate, \ufffd, \u{1f600} emoji\n");
  t.match(xml, "<system-out>red plain, a lone escape: \ufffd\n</system-out>", "colour codes are dropped, a lone ESC replaced");
  t.match(xml, "<system-err>x &lt;y&gt; &amp; z\r\n</system-err>");
  t.match(xml, '<property name="client" value="a &quot;b&quot; &lt;c&gt;"/>');
});

t.test("the well-formedness check used above does catch broken XML", async (t) => {
  t.strictSame(wellFormedProblems("<a><b></a>"), ["</a> closes the wrong element", "unclosed: a"]);
  t.strictSame(wellFormedProblems("<a>x & y</a>"), ["stray & at 5"]);
  t.strictSame(wellFormedProblems('<a b="<">1 < 2</a>'), [
    "stray < at 0",
    "stray < at 6",
    "stray < at 11",
    "</a> closes the wrong element",
  ]);
  t.strictSame(wellFormedProblems("<a/><b/>"), ["2 root elements"]);
  t.match(wellFormedProblems("<a>\u0001</a>"), [/illegal character U\+1/]);
});
