/**
 * The info hashes of every published video, kept in memory for the tracker's filter. A miss refreshes the set
 * from PostgreSQL (at most once per `missRefreshMs`, one refresh at a time), so a video is announceable as soon as
 * it is published; a hit older than `maxAgeMs` refreshes in the background, so deleted videos drop out.
 * Hashes come from each video's master playlist on disk (see swarm-ids.ts for why the file and not the row); a live's
 * come from its current session's master playlist, so a new session is a new set of swarms.
 */
import { join } from "node:path";
import type { Sql } from "../db/client.ts";
import type { Layout } from "../storage/layout.ts";
import { MASTER_PLAYLIST } from "../transcoding/args.ts";
import { listPublishedVideoStamps, type PublishedVideoStamp } from "./tracker-queries.ts";
import { infoHashesForSwarm, swarmIdForLive, swarmIdForVideo } from "./swarm-ids.ts";

export interface KnownSwarmsDeps {
  readonly sql: Sql;
  readonly layout: Layout;
  /** The clock, replaceable in tests. */
  readonly now?: () => number;
  /** A miss within this long of the last refresh is answered from the cache: unknown hashes cannot hammer the database. */
  readonly missRefreshMs?: number;
  readonly maxAgeMs?: number;
}

export interface KnownSwarms {
  /** Whether `infoHashHex` (hex of the announced 20 bytes) is a swarm of a published video; sync when cached. */
  lookup(infoHashHex: string): boolean | Promise<boolean>;
  /** Re-reads the list of published videos; concurrent callers share one refresh; failures are logged, never thrown. */
  refresh(): Promise<void>;
  /** The video an info hash belongs to, if known. */
  videoOf(infoHashHex: string): string | undefined;
  /** The info hashes of a video's renditions, once a lookup has loaded them (empty before). */
  hashesOf(uuid: string): readonly string[];
  readonly size: number;
}

/** Master playlists read at once during a refresh: enough to hide disk latency, few enough to leave file handles. */
const READ_CONCURRENCY = 16;

export function createKnownSwarms(deps: KnownSwarmsDeps): KnownSwarms {
  const now = deps.now ?? Date.now;
  const missRefreshMs = deps.missRefreshMs ?? 2000;
  const maxAgeMs = deps.maxAgeMs ?? 60_000;
  const byHash = new Map<string, string>();
  const byVideo = new Map<string, { stamp: number; hashes: string[] }>();
  let refreshedAt = Number.NEGATIVE_INFINITY;
  let inFlight: Promise<void> | null = null;

  async function hashesOf(row: PublishedVideoStamp): Promise<string[]> {
    const { uuid, liveSession } = row;
    const master = liveSession
      ? join(deps.layout.liveSessionDir(uuid, liveSession), MASTER_PLAYLIST)
      : join(deps.layout.videoDir(uuid), "hls", MASTER_PLAYLIST);
    try {
      const text = await Bun.file(master).text();
      const swarmId = liveSession ? swarmIdForLive(uuid, liveSession) : swarmIdForVideo(uuid);
      return infoHashesForSwarm(swarmId, text).map((s) => s.infoHashHex);
    } catch {
      // A published row without its files (removed by hand, storage not mounted): no swarm until its stamp changes.
      return [];
    }
  }

  async function load(): Promise<void> {
    const rows = await listPublishedVideoStamps(deps.sql);
    const changed = rows.filter((row) => byVideo.get(row.uuid)?.stamp !== row.stamp);
    for (let i = 0; i < changed.length; i += READ_CONCURRENCY) {
      const batch = changed.slice(i, i + READ_CONCURRENCY);
      const hashes = await Promise.all(batch.map((row) => hashesOf(row)));
      batch.forEach((row, k) => {
        forget(row.uuid);
        // A live's master playlist appears a moment after it goes on air: until then, look again at every refresh.
        const stamp = row.liveSession && hashes[k]!.length === 0 ? Number.NaN : row.stamp;
        byVideo.set(row.uuid, { stamp, hashes: hashes[k]! });
        for (const hash of hashes[k]!) byHash.set(hash, row.uuid);
      });
    }
    const published = new Set(rows.map((row) => row.uuid));
    for (const uuid of [...byVideo.keys()]) if (!published.has(uuid)) forget(uuid);
  }

  function forget(uuid: string): void {
    for (const hash of byVideo.get(uuid)?.hashes ?? []) byHash.delete(hash);
    byVideo.delete(uuid);
  }

  function refresh(): Promise<void> {
    inFlight ??= load()
      .catch((error) => console.error(`tracker: refreshing known swarms failed: ${(error as Error).message}`))
      .finally(() => {
        // Also after a failure: a database outage must not turn every unknown hash into a query.
        refreshedAt = now();
        inFlight = null;
      });
    return inFlight;
  }

  return {
    lookup(infoHashHex) {
      const age = now() - refreshedAt;
      if (byHash.has(infoHashHex)) {
        if (age > maxAgeMs) void refresh();
        return true;
      }
      if (!inFlight && age < missRefreshMs) return false;
      return refresh().then(() => byHash.has(infoHashHex));
    },
    refresh,
    videoOf: (infoHashHex) => byHash.get(infoHashHex),
    hashesOf: (uuid) => byVideo.get(uuid)?.hashes ?? [],
    get size() {
      return byHash.size;
    },
  };
}
