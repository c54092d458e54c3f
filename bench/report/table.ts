/** The bench's one output: an aligned, markdown-like table of figures, ratios and verdicts. */
import type { Target } from "./targets.ts";

export interface Row {
  metric: string;
  runtime: string;
  unit: string;
  speechmock: number;
  baseline: number;
  /** Decimal places for the figures. */
  digits?: number;
  target?: Target;
  /** Set when the figure cannot be trusted (failed requests, refused handshakes...); shown instead of a verdict. */
  invalid?: string;
}

const fmt = (value: number, unit: string, digits: number): string =>
  Number.isFinite(value)
    ? `${value.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits })} ${unit}`.trim()
    : "n/a";

function verdict(row: Row): string {
  if (row.invalid) return `INVALID (${row.invalid})`;
  if (!row.target) return "(report)";
  return row.target.met(row.speechmock, row.baseline) ? "pass" : "MISS";
}

export function renderTable(rows: readonly Row[]): string {
  const header = ["metric", "runtime", "speechmock", "baseline", "ratio", "target", "result"];
  const cells = rows.map((row) => {
    const digits = row.digits ?? 0;
    const ratio = row.baseline > 0 ? `${(row.speechmock / row.baseline).toFixed(2)}x` : "n/a";
    return [
      row.metric,
      row.runtime,
      fmt(row.speechmock, row.unit, digits),
      fmt(row.baseline, row.unit, digits),
      ratio,
      row.target?.text ?? "-",
      verdict(row),
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => (c[i] as string).length)));
  const right = new Set([2, 3, 4]);
  const line = (cols: string[]) =>
    `| ${cols.map((c, i) => (right.has(i) ? c.padStart(widths[i] as number) : c.padEnd(widths[i] as number))).join(" | ")} |`;
  const rule = `|${widths.map((w, i) => (right.has(i) ? `${"-".repeat(w + 1)}:` : "-".repeat(w + 2))).join("|")}|`;
  return [line(header), rule, ...cells.map(line)].join("\n");
}

/** The rows that missed their target, for a closing summary. */
export const misses = (rows: readonly Row[]): Row[] =>
  rows.filter((r) => !r.invalid && r.target && !r.target.met(r.speechmock, r.baseline));
