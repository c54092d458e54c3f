/**
 * zod's tree-shakeable "mini" build with English messages, as the few functions speechmock uses.
 * The classic build (or a re-exported namespace) adds ~700 KB to the bundle and measurably
 * delays the ready line; named re-exports let the bundler keep only what is called.
 */

import { en } from "zod/locales";
import { config } from "zod/mini";

config(en());

export type { core, input, output } from "zod/mini";
export {
  _default,
  array,
  boolean,
  discriminatedUnion,
  enum,
  gt,
  gte,
  int,
  literal,
  lte,
  maximum,
  maxLength,
  minimum,
  minLength,
  number,
  object,
  optional,
  readonly,
  record,
  regex,
  safeParse,
  strictObject,
  string,
  superRefine,
  toJSONSchema,
  tuple,
  union,
} from "zod/mini";
