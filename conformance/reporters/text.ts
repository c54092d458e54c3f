/** Client output made fit for a report: terminal escapes dropped, control characters kept out of lines. */

/** The last `count` lines of a stream, without its final newline. */
export function tailLines(text: string, count: number): string {
  const trimmed = text.replace(/\r\n?/g, "\n").replace(/\n+$/, "");
  return trimmed === "" ? "" : trimmed.split("\n").slice(-count).join("\n");
}

// Clients colour their logs; escape sequences are noise in a report, and illegal in XML 1.0.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching terminal escape sequences is the point
const ansi = /\u001b\[[0-?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)|\u001b[ -/]*[0-~]/g;
export const stripAnsi = (text: string): string => text.replace(ansi, "");

/** Text for a terminal or a one-line format: escapes dropped, other control characters (but newline and tab) made spaces. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: removing control characters is the point
export const printable = (text: string): string => stripAnsi(text).replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, " ");
