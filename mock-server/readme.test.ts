/**
 * README.md's table of the speech protocol's rules names every notice code the journal can carry,
 * and no other, and the page names every reason code of reasons.ts: checked, so the page and the
 * code cannot drift apart.
 */
import { readFileSync } from "node:fs";
import t from "tap";
import { root } from "../test/support/spawn.ts";

const readme = readFileSync(`${root}README.md`, "utf8");
const journalSource = readFileSync(`${root}mock-server/journal.ts`, "utf8");

/** The members of `NoticeCode`, read from journal.ts's source (comments dropped: they may hold a ";"). */
function noticeCodes(): string[] {
  const code = journalSource.replace(/\/\*[\s\S]*?\*\//g, "").replace(/\/\/.*$/gm, "");
  const union = /export type NoticeCode =([^;]*);/.exec(code)?.[1];
  if (union === undefined) throw new Error("journal.ts has no `export type NoticeCode = ...;`");
  return [...union.matchAll(/"([^"]+)"/g)].map((m) => m[1] as string);
}

/** The rows of the README's "Every rule, and where it comes from" table, as cells. */
function ruleRows(): string[][] {
  const start = readme.indexOf("### Every rule, and where it comes from");
  if (start === -1) throw new Error('README.md has no section "Every rule, and where it comes from"');
  const rest = readme.slice(start + 4);
  const section = rest.slice(0, rest.search(/^##/m));
  return section
    .split("\n")
    .filter((line) => line.startsWith("| ") && !line.startsWith("| rule |") && !line.startsWith("| ---"))
    .map((line) => line.slice(2, -2).split(" | "));
}

t.test("the rules table names every NoticeCode of journal.ts, each in one row, and no other code", async (t) => {
  const codes = noticeCodes();
  t.ok(codes.length >= 10, `journal.ts names ${codes.length} notice codes`);
  const inTable = ruleRows().flatMap(([, cls = ""]) => [...cls.matchAll(/notice `([^`]+)`/g)].map((m) => m[1] as string));
  t.same([...inTable].sort(), [...new Set(inTable)].sort(), "no notice code has two rows");
  t.same([...new Set(inTable)].sort(), [...new Set(codes)].sort(), "the table's notice codes are exactly NoticeCode's members");
});

t.test("every rule in the table has a class (refused with a close code, or accepted) and a source", async (t) => {
  const rows = ruleRows().filter(([rule = ""]) => !rule.startsWith("**"));
  t.ok(rows.length >= 30, `${rows.length} rules`);
  for (const [rule = "", cls = "", source = "", ...extra] of rows) {
    t.same(extra, [], `${rule}: three cells`);
    t.match(cls, /^(refused: `1\d{3}`|accepted)/, `${rule}: refused with a close code, or accepted`);
    t.ok(source.length > 10, `${rule}: a source`);
  }
});

t.test("every reason code a decision can carry is named in the README", async (t) => {
  const { stsReasons, handshakeReasons, restReasons, ttsReasons, unroutedReasons } = await import("./reasons.ts");
  for (const code of new Set([...stsReasons, ...handshakeReasons, ...restReasons, ...ttsReasons, ...unroutedReasons])) {
    t.ok(readme.includes(`\`${code}\``), code);
  }
});
