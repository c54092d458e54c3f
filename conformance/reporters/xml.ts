/**
 * Escaping for XML 1.0, which cannot carry most control characters even as character
 * references: a client's output may hold any of them, and one would make the whole file unreadable.
 */
import { stripAnsi } from "./text.ts";

const illegal = /[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]/gu;

/** Terminal escape sequences dropped, any other illegal character (lone surrogates too) made U+FFFD. */
export const legal = (text: string): string => stripAnsi(text).replace(illegal, "\ufffd");

/** Character data: `]]>` cannot appear raw either, so `>` is always escaped. */
export const xmlText = (text: string): string => legal(text).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/** An attribute value in double quotes; line breaks and tabs as references so parsers keep them. */
export const xmlAttr = (text: string): string =>
  xmlText(text).replace(/"/g, "&quot;").replace(/'/g, "&apos;").replace(/\n/g, "&#10;").replace(/\r/g, "&#13;").replace(/\t/g, "&#9;");

/** `name="value"` pairs for a start tag, in the given order. */
export const attrs = (pairs: Record<string, string | number>): string =>
  Object.entries(pairs)
    .map(([name, value]) => ` ${name}="${xmlAttr(String(value))}"`)
    .join("");
