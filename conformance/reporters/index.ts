/**
 * The reporters by the name a command line picks them with. Each renders a whole report; only the
 * human one takes options, since only a terminal has colour.
 */
import type { RunReport } from "../report.ts";
import { type HumanOptions, humanReport } from "./human.ts";
import { jsonReport } from "./json.ts";
import { junitReport } from "./junit.ts";
import { tapReport } from "./tap.ts";

export type Reporter = (report: RunReport, opts?: HumanOptions) => string;

export const reporters = {
  human: (report, opts = { color: false }) => humanReport(report, opts),
  tap: tapReport,
  junit: junitReport,
  json: jsonReport,
} as const satisfies Record<string, Reporter>;

export type ReporterName = keyof typeof reporters;

export { countsLine, type HumanOptions, humanLine, humanReport, humanSummary } from "./human.ts";
export { reportSchema } from "./json-schema.ts";
export { jsonReport, junitReport, tapReport };
