import { expect, test } from "bun:test";
import { createMicroCache } from "../../src/http/micro-cache.ts";

function clock() {
  let t = 0;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

test("one computation per key within the TTL, a new one after it", async () => {
  const c = clock();
  const cache = createMicroCache<number>({ ttlMs: 1000, maxEntries: 10, now: c.now });
  let calls = 0;
  const compute = async () => ++calls;
  expect(await cache.get("a", compute)).toBe(1);
  c.advance(999);
  expect(await cache.get("a", compute)).toBe(1);
  expect(await cache.get("b", compute)).toBe(2);
  c.advance(1);
  expect(await cache.get("a", compute)).toBe(3);
});

test("concurrent misses share the computation in flight", async () => {
  const cache = createMicroCache<string>({ ttlMs: 1000, maxEntries: 10 });
  let calls = 0;
  const slow = () => new Promise<string>((resolve) => setTimeout(() => resolve(`v${++calls}`), 5));
  const values = await Promise.all(Array.from({ length: 20 }, () => cache.get("k", slow)));
  expect(new Set(values)).toEqual(new Set(["v1"]));
  expect(calls).toBe(1);
});

test("failures are not cached, clear() forgets, and the map stays bounded", async () => {
  const c = clock();
  const cache = createMicroCache<number>({ ttlMs: 1000, maxEntries: 3, now: c.now });
  await expect(cache.get("x", () => Promise.reject(new Error("db down")))).rejects.toThrow("db down");
  expect(await cache.get("x", async () => 7)).toBe(7);
  cache.clear();
  expect(await cache.get("x", async () => 8)).toBe(8);
  for (const key of ["p", "q", "r", "s"]) await cache.get(key, async () => 1);
  // "x" was the oldest and made room; the newest keys are still served from the cache.
  expect(await cache.get("s", async () => 99)).toBe(1);
  expect(await cache.get("x", async () => 9)).toBe(9);
});
