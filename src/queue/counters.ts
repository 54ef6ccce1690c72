/**
 * Counters buffered in a Redis hash and drained in batches, so hot counters (views, P2P bytes) cost one
 * SQL statement per flush instead of one per event, and every process of an instance adds to the same hash.
 */
import type { Redis } from "ioredis";

export interface BufferedCounters {
  add(field: string, amount: number): Promise<void>;
  /** Takes every buffered count atomically; counts added meanwhile wait for the next drain. */
  drain(): Promise<Map<string, number>>;
  /** Puts counts back after a failed write, so a database hiccup loses nothing. */
  restore(counts: ReadonlyMap<string, number>): Promise<void>;
}

export function createBufferedCounters(redis: Redis, key: string): BufferedCounters {
  return {
    async add(field, amount) {
      if (amount > 0) await redis.hincrby(key, field, amount);
    },
    async drain() {
      const batch = `${key}:draining:${crypto.randomUUID()}`;
      try {
        await redis.rename(key, batch);
      } catch {
        return new Map(); // nothing buffered
      }
      const counts = await redis.hgetall(batch);
      await redis.del(batch);
      return new Map(Object.entries(counts).map(([field, n]) => [field, Number(n)]));
    },
    async restore(counts) {
      if (counts.size === 0) return;
      const multi = redis.multi();
      for (const [field, n] of counts) multi.hincrby(key, field, n);
      await multi.exec();
    },
  };
}
