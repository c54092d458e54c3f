/**
 * Just enough YAML for TAP diagnostic blocks, with no dependency: strings are JSON-quoted (YAML
 * 1.2 reads JSON strings), except multi-line text such as a stderr tail, which reads far better
 * as a literal block when its characters allow one.
 */
export type YamlValue = string | number | boolean | null | undefined | YamlValue[] | YamlMap;
export interface YamlMap {
  [key: string]: YamlValue;
}

// JSON.stringify leaves C1 controls, DEL and non-characters raw; YAML allows none of them unescaped.
const unprintable = /[\u007f-\u009f\ufeff\ufffe\uffff]/g;
const quote = (text: string): string =>
  JSON.stringify(text).replace(unprintable, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);

const literalSafe = /^[\t\n\u0020-\u007e\u00a0-\ud7ff\ue000-\ufefe\uff00-\ufffd\u{10000}-\u{10ffff}]*$/u;

const scalar = (value: string | number | boolean | null): string =>
  typeof value === "string" ? quote(value) : typeof value === "number" && !Number.isFinite(value) ? quote(String(value)) : String(value);

const isEmpty = (value: YamlValue): boolean => value === undefined || (Array.isArray(value) && value.length === 0);

/** A map as YAML lines, each starting with `indent`; undefined values and empty lists are left out. */
export function yamlLines(map: YamlMap, indent: string): string[] {
  const lines: string[] = [];
  for (const [key, value] of Object.entries(map)) {
    if (isEmpty(value)) continue;
    lines.push(...entry(`${indent}${key}:`, value as Exclude<YamlValue, undefined>, indent));
  }
  return lines;
}

function entry(head: string, value: Exclude<YamlValue, undefined>, indent: string): string[] {
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    return [head, ...value.flatMap((item) => listItem(item, inner))];
  }
  if (value !== null && typeof value === "object") return [head, ...yamlLines(value, inner)];
  if (typeof value === "string" && value.includes("\n") && literalSafe.test(value)) {
    // The indentation indicator keeps a first line that starts with spaces (a stack frame) intact.
    return [`${head} |2-`, ...value.split("\n").map((line) => `${inner}${line}`)];
  }
  return [`${head} ${scalar(value)}`];
}

function listItem(item: YamlValue, indent: string): string[] {
  if (item === undefined) return [`${indent}- null`];
  if (Array.isArray(item)) return [`${indent}- ${quote(JSON.stringify(item))}`];
  if (item !== null && typeof item === "object") {
    const lines = yamlLines(item, `${indent}  `);
    if (lines.length === 0) return [`${indent}- {}`];
    return [`${indent}- ${lines[0]?.slice(indent.length + 2)}`, ...lines.slice(1)];
  }
  return [`${indent}- ${scalar(item)}`];
}
