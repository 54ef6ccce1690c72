/**
 * A short-lived in-process cache for what many visitors ask at once (the home page's grid, a popular search):
 * one computation per key per `ttlMs`, and concurrent misses share the one computation in flight. Entries are
 * a second or two old at most, which public listings tolerate, and the map is bounded.
 */
export interface MicroCache<T> {
  /** The cached value for `key`, or the result of `compute()`, cached for the TTL. */
  get(key: string, compute: () => Promise<T>): Promise<T>;
  /** Forgets everything, so a change is visible at once to the person who made it. */
  clear(): void;
}

export function createMicroCache<T>(options: { ttlMs: number; maxEntries: number; now?: () => number }): MicroCache<T> {
  const now = options.now ?? (() => performance.now());
  const entries = new Map<string, { at: number; value: Promise<T> }>();
  return {
    get(key, compute) {
      const hit = entries.get(key);
      const at = now();
      if (hit && at - hit.at < options.ttlMs) return hit.value;
      if (entries.size >= options.maxEntries) {
        for (const [k, e] of entries) if (at - e.at >= options.ttlMs) entries.delete(k);
        // Still full of fresh entries: drop the oldest (Map keeps insertion order).
        if (entries.size >= options.maxEntries) entries.delete(entries.keys().next().value!);
      }
      const value = compute();
      entries.set(key, { at, value });
      // A failure is not cached: the next request tries again.
      value.catch(() => entries.get(key)?.value === value && entries.delete(key));
      return value;
    },
    clear: () => entries.clear(),
  };
}
