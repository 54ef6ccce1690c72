/**
 * View counting: one view per viewer per video per window, buffered in Redis and added to PostgreSQL in
 * batches, so a popular video costs one UPDATE per flush instead of one per viewer. Each flush also adds the
 * counts to the current hour in video_views_hourly, which trending ranks by.
 */
import type { Redis } from "ioredis";
import type { Sql } from "../db/client.ts";
import { createBufferedCounters } from "../queue/counters.ts";
import { addHourlyViews, addViews } from "./queries.ts";

/** PeerTube counts a viewer again after an hour. */
export const VIEW_WINDOW_SECONDS = 3600;

export interface ViewCounter {
  /** Counts a view unless this viewer was counted for this video within the window; returns whether it counted. */
  record(videoId: number, viewerKey: string): Promise<boolean>;
  /** Moves buffered counts into PostgreSQL; returns how many views were added. */
  flush(): Promise<number>;
}

/** Counts views in Redis (`prefix` namespaces the keys) and flushes them to PostgreSQL on demand. */
export function createViewCounter(redis: Redis, sql: Sql, prefix: string): ViewCounter {
  const pending = createBufferedCounters(redis, `${prefix}views:pending`);
  return {
    async record(videoId, viewerKey) {
      const viewer = new Bun.CryptoHasher("sha256").update(viewerKey).digest("base64url").slice(0, 22);
      const fresh = await redis.set(`${prefix}views:seen:${videoId}:${viewer}`, "1", "EX", VIEW_WINDOW_SECONDS, "NX");
      if (fresh !== "OK") return false;
      await pending.add(String(videoId), 1);
      return true;
    },
    async flush() {
      const counts = await pending.drain();
      if (counts.size === 0) return 0;
      const byVideo = new Map([...counts].map(([id, n]) => [Number(id), n]));
      try {
        // One transaction, so a failure restores counts that neither the total nor the hourly row has taken.
        await sql.begin(async (tx) => {
          await addViews(tx, byVideo);
          await addHourlyViews(tx, byVideo);
        });
      } catch (error) {
        await pending.restore(counts);
        throw error;
      }
      return [...counts.values()].reduce((a, b) => a + b, 0);
    },
  };
}
