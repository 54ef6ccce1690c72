/**
 * Players report, every few seconds, the bytes they got over HTTP and from peers and the bytes they uploaded.
 * Reports are anonymous, checked and capped, rate-limited per address, buffered in Redis and flushed in batches.
 */
import type { Redis } from "ioredis";
import type { Sql } from "../db/client.ts";
import type { RateLimiter } from "../http/rate-limit.ts";
import { createBufferedCounters } from "../queue/counters.ts";
import { addP2PBytes, type ByteCounts } from "./queries.ts";

/** No player moves more than this in one 10-second report (a 4K rung is ~2.5 MB/s); larger claims are lies. */
export const MAX_REPORT_BYTES = 256 * 1024 * 1024;
/** Players report every 10 s; a few more (page hide, seeking) are fine, a flood is not. */
export const REPORTS_PER_MINUTE = 12;

/** Validates a report body: non-negative whole numbers under the cap, or null. */
export function parseP2PReport(body: unknown): ByteCounts | null {
  const b = body as Record<string, unknown> | null;
  const read = (name: string) => {
    const v = b?.[name];
    return typeof v === "number" && Number.isInteger(v) && v >= 0 && v <= MAX_REPORT_BYTES ? v : null;
  };
  const [httpBytes, p2pBytes, uploadedBytes] = [read("httpBytes"), read("p2pBytes"), read("uploadedBytes")];
  if (httpBytes === null || p2pBytes === null || uploadedBytes === null) return null;
  return { httpBytes, p2pBytes, uploadedBytes };
}

export interface P2PStats {
  /** Buffers a report; false when this address already reported too often for this video. */
  record(videoId: number, report: ByteCounts, ip: string): Promise<boolean>;
  flush(): Promise<void>;
}

const KINDS = { h: "httpBytes", p: "p2pBytes", u: "uploadedBytes" } as const;

export function createP2PStats(redis: Redis, sql: Sql, limiter: RateLimiter, prefix: string): P2PStats {
  const pending = createBufferedCounters(redis, `${prefix}p2p:pending`);
  return {
    async record(videoId, report, ip) {
      const key = `p2p-report:${videoId}:${ip}`;
      if (await limiter.blockedFor(key, REPORTS_PER_MINUTE)) return false;
      await limiter.hit(key, 60);
      for (const [short, name] of Object.entries(KINDS)) await pending.add(`${videoId}:${short}`, report[name]);
      return true;
    },
    async flush() {
      const counts = await pending.drain();
      const perVideo = new Map<number, ByteCounts>();
      for (const [field, n] of counts) {
        const [id, short] = field.split(":") as [string, keyof typeof KINDS];
        const row = perVideo.get(Number(id)) ?? { httpBytes: 0, p2pBytes: 0, uploadedBytes: 0 };
        row[KINDS[short]] += n;
        perVideo.set(Number(id), row);
      }
      try {
        await sql.begin((tx) => addP2PBytes(tx, perVideo));
      } catch (error) {
        await pending.restore(counts);
        throw error;
      }
    },
  };
}
