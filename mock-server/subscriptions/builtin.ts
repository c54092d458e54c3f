import builtin from "../../fixtures/subscriptions.json" with { type: "json" };
import { parseSubscriptions } from "./load.ts";
import type { Resource } from "./resource.ts";

/** The development resources the mock starts with when no fixtures file is given. */
export const builtinResources = (): Resource[] => parseSubscriptions(JSON.stringify(builtin), "fixtures/subscriptions.json");
