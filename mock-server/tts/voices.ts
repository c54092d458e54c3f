/**
 * The voices the mock speaks with and lists (tts-and-timing.md 1.8): entries in the exact JSON
 * shape of `GET /cognitiveservices/voices/list` (numbers as strings where the service sends
 * strings), loaded from fixtures/voices.json or a `--voices` file, and found by any of the names
 * SSML may use (1.4): the short name, the long `Name`, and the 2017 long names.
 */
import builtin from "../../fixtures/voices.json" with { type: "json" };
import { MockError } from "../errors.ts";
import { parseFixture } from "../fixture-file.ts";
import * as z from "../zod.ts";

const digits = (what: string) => z.string().check(z.regex(/^[1-9][0-9]*$/, `Expected ${what} as a string of digits, such as "24000"`));
const strings = z.array(z.string());

/** One entry of the voices list; unknown fields are refused so a typo is caught. */
export const voiceEntry = z.strictObject({
  Name: z.string().check(z.minLength(1)),
  DisplayName: z.string(),
  LocalName: z.string(),
  ShortName: z.string().check(z.regex(/^[a-z]{2,3}-[A-Za-z0-9]{2,4}-\S+$/, 'Expected a short name such as "en-US-JennyNeural"')),
  Gender: z.enum(["Male", "Female", "Neutral"]),
  Locale: z.string().check(z.regex(/^[a-z]{2,3}(-[A-Za-z0-9]{2,4})+$/, 'Expected a locale such as "en-US"')),
  LocaleName: z.string(),
  StyleList: z.optional(strings),
  SecondaryLocaleList: z.optional(strings),
  RolePlayList: z.optional(strings),
  SampleRateHertz: digits("a sample rate"),
  VoiceType: z.string().check(z.minLength(1)),
  Status: z.string(),
  ExtendedPropertyMap: z.optional(z.record(z.string(), z.string())),
  VoiceTag: z.optional(z.record(z.string(), strings)),
  WordsPerMinute: z.optional(digits("words per minute")),
});

export type VoiceEntry = z.output<typeof voiceEntry>;

/** A voices file: a JSON array of `voices/list` entries. */
export type VoicesFile = z.input<typeof voicesFile>;

const voicesFile = z.array(voiceEntry).check(z.minLength(1, "Expected at least one voice"));

/** Words per minute when an entry has none (the 2017 voices): the en-US neural voices' typical 150. */
export const defaultWordsPerMinute = 150;

/** A voice as synthesis uses it: its list entry and the numbers read from its strings. */
export interface Voice {
  entry: VoiceEntry;
  shortName: string;
  locale: string;
  wordsPerMinute: number;
}

/** The mock's voices: the list as served, and a lookup by every accepted name. */
export class VoiceRegistry {
  /** In the list's order; a replaced voice keeps its place, an added one goes last. */
  #voices: Voice[] = [];
  readonly #byName = new Map<string, Voice>();

  constructor(entries: readonly VoiceEntry[]) {
    this.replaceAll(entries);
  }

  /** The entries as `voices/list` serves them now. */
  get entries(): readonly VoiceEntry[] {
    return this.#voices.map((voice) => voice.entry);
  }

  /**
   * The voice SSML names, or `undefined`: `en-US-JennyNeural`, `Microsoft Server Speech Text to
   * Speech Voice (en-US, JennyNeural)`, the 2017 `(en-US, ZiraRUS)` or `(en-GB, Susan, Apollo)`.
   * Case and runs of spaces do not matter (the service's matching is unconfirmed; kinder this way).
   */
  find(name: string): Voice | undefined {
    return this.#byName.get(normalize(name));
  }

  /**
   * Why `entry` cannot be put (its `Name` or `ShortName` is another voice's name), or undefined.
   * The voice it replaces, the one with its short name, is not "another".
   */
  conflictOf(entry: VoiceEntry): string | undefined {
    const replaced = this.#byShortName(entry.ShortName);
    for (const [field, name] of [
      ["Name", entry.Name],
      ["ShortName", entry.ShortName],
    ] as const) {
      const holder = this.find(name);
      if (holder === undefined || holder === replaced) continue;
      const its = normalize(holder.entry.Name) === normalize(name) ? "Name" : "ShortName";
      const verb = replaced ? "replace" : "add";
      return `Cannot ${verb} voice ${JSON.stringify(entry.ShortName)}: its ${field} ${JSON.stringify(name)} is already the ${its} of voice ${JSON.stringify(holder.shortName)}; expected a name no other voice has`;
    }
    return undefined;
  }

  /**
   * Adds `entry`, or replaces the voice with its short name (whatever the case) in place; check
   * `conflictOf` first. SSML naming it finds the new entry from the next lookup on.
   */
  put(entry: VoiceEntry): "added" | "replaced" {
    const voice = voiceOf(entry);
    const replaced = this.#byShortName(entry.ShortName);
    if (replaced) {
      this.#unindex(replaced);
      this.#voices[this.#voices.indexOf(replaced)] = voice;
    } else {
      this.#voices.push(voice);
    }
    this.#index(voice);
    return replaced ? "replaced" : "added";
  }

  /** Removes the voice with this short name (whatever the case): its entry, or undefined if there was none. */
  remove(shortName: string): VoiceEntry | undefined {
    const voice = this.#byShortName(shortName);
    if (voice === undefined) return undefined;
    this.#unindex(voice);
    this.#voices.splice(this.#voices.indexOf(voice), 1);
    return voice.entry;
  }

  /** Back to exactly these entries, in this order. */
  replaceAll(entries: readonly VoiceEntry[]): void {
    this.#voices = [];
    this.#byName.clear();
    for (const entry of entries) {
      const voice = voiceOf(entry);
      this.#voices.push(voice);
      this.#index(voice);
    }
  }

  /** The JSON body of `voices/list`. */
  toJSON(): readonly VoiceEntry[] {
    return this.entries;
  }

  #byShortName(shortName: string): Voice | undefined {
    const voice = this.find(shortName);
    return voice && normalize(voice.shortName) === normalize(shortName) ? voice : undefined;
  }

  #index(voice: Voice): void {
    for (const name of [voice.entry.ShortName, voice.entry.Name]) this.#byName.set(normalize(name), voice);
  }

  #unindex(voice: Voice): void {
    for (const name of [voice.entry.ShortName, voice.entry.Name]) {
      if (this.#byName.get(normalize(name)) === voice) this.#byName.delete(normalize(name));
    }
  }
}

const voiceOf = (entry: VoiceEntry): Voice => ({
  entry,
  shortName: entry.ShortName,
  locale: entry.Locale,
  wordsPerMinute: entry.WordsPerMinute ? Number(entry.WordsPerMinute) : defaultWordsPerMinute,
});

const normalize = (name: string): string => name.trim().replace(/\s+/g, " ").toLowerCase();

/** Parses and validates a voices file; `source` names it in messages. Two voices may not share a name. */
export function parseVoices(text: string, source: string): VoiceRegistry {
  const entries = parseFixture(text, source, voicesFile);
  const seen = new Map<string, number>();
  const lines: string[] = [];
  entries.forEach((entry, i) => {
    for (const [field, name] of [
      ["ShortName", entry.ShortName],
      ["Name", entry.Name],
    ] as const) {
      const first = seen.get(normalize(name));
      if (first !== undefined && first !== i)
        lines.push(`${source}: $[${i}].${field}: ${JSON.stringify(name)} is also the name of $[${first}]`);
      else seen.set(normalize(name), i);
    }
  });
  if (lines.length > 0) throw new MockError("ERR_FIXTURE_INVALID", lines.join("\n"));
  return new VoiceRegistry(entries);
}

/** The built-in voices: a dozen across en-US, en-GB, de-DE, fr-FR and zh-CN, and the 2017 RUS voices. */
export const builtinVoices = (): VoiceRegistry => parseVoices(JSON.stringify(builtin), "fixtures/voices.json");
