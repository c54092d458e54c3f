import type { Resource } from "./resource.ts";

/** Looks resources up the three ways requests name them: by key, by name, by token claim. */
export class ResourceRegistry {
  #byKey = new Map<string, Resource>();
  #byName = new Map<string, Resource>();
  #bySubscriptionId = new Map<string, Resource>();

  constructor(resources: readonly Resource[]) {
    for (const r of resources) {
      this.#byName.set(r.name, r);
      this.#bySubscriptionId.set(r.subscriptionId, r);
      for (const k of r.keys) this.#byKey.set(k, r);
    }
  }

  byKey(key: string): Resource | undefined {
    return this.#byKey.get(key);
  }

  byName(name: string): Resource | undefined {
    return this.#byName.get(name);
  }

  bySubscriptionId(id: string): Resource | undefined {
    return this.#bySubscriptionId.get(id);
  }

  list(): Resource[] {
    return [...this.#byName.values()];
  }

  regions(): Set<string> {
    return new Set(this.list().map((r) => r.region));
  }
}
