/** Picking cases by id with globs: `token.*`, `*.refresh`, `protocol.close-100?`. */
import type { Case } from "./case.ts";

/** `*` matches any run of characters (dots too), `?` one character; the rest is literal. */
export function globToRegExp(glob: string): RegExp {
  const body = glob
    .replace(/[.+^${}()|[\]\\]/g, "\\$&")
    .replace(/\*/g, ".*")
    .replace(/\?/g, ".");
  return new RegExp(`^${body}$`);
}

export interface Selection {
  include?: readonly string[];
  exclude?: readonly string[];
}

/**
 * The cases whose id matches an include glob (all, when none is given) and no exclude glob.
 * A glob that matches no case at all is a mistake worth stopping for: it is returned in `unmatched`.
 */
export function selectCases(cases: readonly Case[], { include = [], exclude = [] }: Selection): { cases: Case[]; unmatched: string[] } {
  const inc = include.map((g) => ({ g, re: globToRegExp(g) }));
  const exc = exclude.map((g) => ({ g, re: globToRegExp(g) }));
  const unmatched = [...inc, ...exc].filter(({ re }) => !cases.some((c) => re.test(c.id))).map(({ g }) => g);
  const picked = cases.filter((c) => (inc.length === 0 || inc.some(({ re }) => re.test(c.id))) && !exc.some(({ re }) => re.test(c.id)));
  return { cases: picked, unmatched };
}
