import type { Resource, ResourceState } from "./resource.ts";

/**
 * Looks resources up the three ways requests name them: by key, by name, by token claim. The
 * control plane changes it while the mock runs; lookups always see the current state.
 */
export class ResourceRegistry {
  #byKey = new Map<string, Resource>();
  #byName = new Map<string, Resource>();
  #bySubscriptionId = new Map<string, Resource>();
  /** Every region a resource has had, plus any given: Host names that address a region. Only grows. */
  readonly knownRegions = new Set<string>();

  constructor(resources: readonly Resource[], extraRegions: Iterable<string> = []) {
    for (const region of extraRegions) this.knownRegions.add(region);
    for (const r of resources) this.#index(r);
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

  /** Why `resource` cannot join (a name, key or subscription id already in use), or undefined. */
  conflictOf(resource: Resource): string | undefined {
    if (this.#byName.has(resource.name)) return `A resource named "${resource.name}" already exists`;
    for (const key of resource.keys) {
      const holder = this.#byKey.get(key);
      if (holder) return `Key ${key.slice(0, 6)}…(${key.length}) already belongs to resource "${holder.name}"`;
    }
    if (resource.keys[0] === resource.keys[1]) return "The two keys are the same: every key must be unique";
    if (this.#bySubscriptionId.has(resource.subscriptionId)) return `Subscription id ${resource.subscriptionId} is already in use`;
    return undefined;
  }

  /** Adds a resource; check `conflictOf` first. */
  add(resource: Resource): void {
    this.#index(resource);
  }

  remove(name: string): Resource | undefined {
    const r = this.#byName.get(name);
    if (!r) return undefined;
    this.#unindex(r);
    return r;
  }

  setState(name: string, state: ResourceState): Resource | undefined {
    return this.#replace(name, (r) => ({ ...r, state }));
  }

  /** Gives key 0 (primary) or 1 (secondary) a new value; the old one stops working at once. */
  regenerateKey(name: string, which: 0 | 1, newKey: string): Resource | undefined {
    return this.#replace(name, (r) => ({ ...r, keys: which === 0 ? [newKey, r.keys[1]] : [r.keys[0], newKey] }));
  }

  /** Back to exactly these resources. */
  replaceAll(resources: readonly Resource[]): void {
    this.#byKey.clear();
    this.#byName.clear();
    this.#bySubscriptionId.clear();
    for (const r of resources) this.#index(r);
  }

  #replace(name: string, change: (r: Resource) => Resource): Resource | undefined {
    const r = this.#byName.get(name);
    if (!r) return undefined;
    this.#unindex(r);
    const next = change(r);
    this.#index(next);
    return next;
  }

  #index(r: Resource): void {
    this.#byName.set(r.name, r);
    this.#bySubscriptionId.set(r.subscriptionId, r);
    for (const k of r.keys) this.#byKey.set(k, r);
    this.knownRegions.add(r.region);
  }

  #unindex(r: Resource): void {
    this.#byName.delete(r.name);
    this.#bySubscriptionId.delete(r.subscriptionId);
    for (const k of r.keys) this.#byKey.delete(k);
  }
}
