import { parseFixture } from "../fixture-file.ts";
import type { Resource } from "./resource.ts";
import { subscriptionsFile, toResources } from "./schema.ts";

/** Parses and validates a subscriptions fixtures file; `source` names the file in messages. */
export const parseSubscriptions = (text: string, source: string): Resource[] => toResources(parseFixture(text, source, subscriptionsFile));
