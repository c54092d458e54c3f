/** The report as it is: the `speechmock.conformance/v1` document other tools read (see json-schema.ts). */
import type { RunReport } from "../report.ts";

export const jsonReport = (report: RunReport): string => `${JSON.stringify(report, null, 2)}\n`;
