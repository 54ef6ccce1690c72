/** Fixed-window counters in Redis, shared by every process of an instance. */
import type { Redis } from "ioredis";

export interface RateLimiter {
  /** Seconds until the window resets when `key` has reached `limit`, else 0. */
  blockedFor(key: string, limit: number): Promise<number>;
  /** Counts one event against `key`; the window starts at the first event. Returns the new count. */
  hit(key: string, windowSeconds: number): Promise<number>;
  reset(key: string): Promise<void>;
}

export function createRateLimiter(redis: Redis, prefix: string): RateLimiter {
  const full = (key: string) => `${prefix}rl:${key}`;
  return {
    async blockedFor(key, limit) {
      const [[, count], [, ttl]] = (await redis.multi().get(full(key)).ttl(full(key)).exec()) as [[null, string | null], [null, number]];
      return Number(count ?? 0) >= limit ? Math.max(ttl, 1) : 0;
    },
    async hit(key, windowSeconds) {
      const [[, count]] = (await redis.multi().incr(full(key)).expire(full(key), windowSeconds, "NX").exec()) as [[null, number], unknown];
      return count;
    },
    async reset(key) {
      await redis.del(full(key));
    },
  };
}
