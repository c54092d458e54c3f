import * as z from "../zod.ts";
import type { Resource } from "./resource.ts";

const hex32 = /^[0-9a-f]{32}$/;
const guid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Azure region names are lower-case letters and digits: `westus`, `eastus2`, `usgovvirginia`. */
export const regionName = z
  .string()
  .check(z.regex(/^[a-z][a-z0-9]{1,31}$/, 'Expected an Azure region name such as "westus" (lower-case letters and digits)'));

const key = z.string().check(z.regex(/^[\x21-\x7e]{16,128}$/, "Expected a key of 16 to 128 visible ASCII characters"));

const pattern = (re: RegExp, message: string) => z.string().check(z.regex(re, message));

/** One resource, as the fixtures file and the control plane's `POST /resources` take it. */
export const resource = z.strictObject({
  name: pattern(/^[a-zA-Z0-9][a-zA-Z0-9-]{1,62}$/, "Expected a resource name of 2 to 63 letters, digits and dashes"),
  region: regionName,
  tier: z.enum(["F0", "S0"]),
  keys: z.tuple([key, key], {
    error: (issue) =>
      issue.code === "too_small" || issue.code === "too_big" ? "Expected exactly two keys (primary and secondary)" : undefined,
  }),
  state: z._default(z.enum(["enabled", "disabled", "quotaExceeded"]), "enabled"),
  subscriptionId: z.optional(pattern(hex32, "Expected 32 lower-case hex digits")),
  azureSubscription: z._default(pattern(guid, "Expected a lower-case GUID"), "00000000-0000-4000-8000-5eec4d0c0000"),
  resourceGroup: z._default(pattern(/^[\w.()-]{1,90}$/, "Expected an Azure resource group name"), "speechmock"),
  quotaRenewsIn: z._default(pattern(/^\d+\.\d{2}:\d{2}:\d{2}$/, "Expected a duration as d.hh:mm:ss"), "0.01:00:00"),
});

export const subscriptionsFile = z
  .strictObject({
    $schema: z.optional(z.string()),
    resources: z.array(resource).check(z.minLength(1, "Expected at least one resource")),
  })
  .check(
    z.superRefine((file, ctx) => {
      const names = new Map<string, number>();
      const keys = new Map<string, string>();
      file.resources.forEach((r, i) => {
        const seen = names.get(r.name);
        if (seen !== undefined) {
          ctx.addIssue({
            code: "custom",
            path: ["resources", i, "name"],
            message: `Duplicate resource name "${r.name}" (also at resources[${seen}])`,
          });
        }
        names.set(r.name, i);
        r.keys.forEach((k, j) => {
          const where = keys.get(k);
          if (where !== undefined) {
            ctx.addIssue({
              code: "custom",
              path: ["resources", i, "keys", j],
              message: `Duplicate key (also at ${where}): every key must be unique`,
            });
          }
          keys.set(k, `resources[${i}].keys[${j}]`);
        });
      });
    }),
  );

export type SubscriptionsFile = z.input<typeof subscriptionsFile>;

/** FNV-1a, four lanes: a stable 32-hex id for a resource that does not name its own. */
export function derivedSubscriptionId(name: string): string {
  let out = "";
  for (let lane = 0; lane < 4; lane++) {
    let h = 0x811c9dc5 ^ lane;
    for (let i = 0; i < name.length; i++) {
      h ^= name.charCodeAt(i);
      h = Math.imul(h, 0x01000193);
    }
    out += (h >>> 0).toString(16).padStart(8, "0");
  }
  return out;
}

export const toResource = (r: z.output<typeof resource>): Resource => ({
  ...r,
  keys: [r.keys[0], r.keys[1]] as const,
  subscriptionId: r.subscriptionId ?? derivedSubscriptionId(r.name),
});

export function toResources(parsed: z.output<typeof subscriptionsFile>): Resource[] {
  return parsed.resources.map(toResource);
}
