/**
 * Redundancy between instances for tests and benchmarks: an origin A whose playable videos reach mirrors that
 * follow it, and a way to run an instance's redundancy job now.
 */
import { createRedis, type Redis } from "../../src/queue/redis.ts";
import { registerUser } from "../../src/accounts/service.ts";
import type { UserRow } from "../../src/accounts/queries.ts";
import { fetcherFor } from "../../src/federation/actors.ts";
import { federateVideo } from "../../src/federation/videos.ts";
import { runRedundancyOnce, type RedundancyDeps, type RunReport } from "../../src/redundancy/service.ts";
import { createLayout } from "../../src/storage/layout.ts";
import { followChannel, type Instance } from "./federation.ts";
import { waitFor } from "./processes.ts";
import { defaultChannelId, publishPlayableVideos, type SeededVideo } from "./videos.ts";

/** Settings of a mirroring instance: redundancy on, most-viewed only, runs started by the test (a long interval). */
export const MIRROR_ENV: Record<string, string> = {
  TUBELET_REDUNDANCY: "true",
  TUBELET_REDUNDANCY_INTERVAL_SECONDS: "3600",
  TUBELET_REDUNDANCY_MOST_VIEWED_BYTES: String(1024 ** 3),
  TUBELET_REDUNDANCY_MAX_ITEMS: "1",
};

/** What a redundancy run of `instance` is given. */
export function redundancyDepsOf(instance: Instance, redis: Redis): RedundancyDeps {
  return {
    sql: instance.db.sql,
    config: instance.config,
    layout: createLayout(instance.config.dataDir),
    queues: instance.queues,
    fetcher: fetcherFor(instance.config),
    redis,
  };
}

/** Runs the instance's redundancy job now, as the admin's "run now" does, and says what it did. */
export async function runRedundancy(instance: Instance, redis: Redis): Promise<RunReport> {
  const report = await waitFor("the redundancy lock", async () => {
    const r = await runRedundancyOnce(redundancyDepsOf(instance, redis));
    return r.ran ? r : null;
  });
  if (report.errors.length) throw new Error(`redundancy run of ${instance.url}: ${report.errors.join("; ")}`);
  return report;
}

/** One Redis connection for the runs of every instance (each has its own key prefix). */
export function redisFor(instance: Instance): Redis {
  return createRedis(instance.config.redisUrl);
}

/**
 * Registers alice on the origin, publishes playable videos there with the given view counts, and federates them to
 * every follower; resolves once each follower stores them all.
 */
export async function publishOnOrigin(
  origin: Instance,
  followers: readonly Instance[],
  videos: readonly { name: string; views: number }[],
  options: { seconds?: number; resolutions?: readonly number[]; segmentSeconds?: number } = {},
): Promise<{ alice: UserRow; videos: SeededVideo[] }> {
  const alice = await registerUser({ sql: origin.db.sql, config: origin.config }, { username: "alice", email: "alice@example.org", password: "Correct-Horse-42" }, { bypassSignupMode: true });
  for (const f of followers) await followChannel(f, origin, "alice_channel");
  const seeded = await publishPlayableVideos(origin.db.sql, origin.config.dataDir, await defaultChannelId(origin.db.sql, alice.id), videos, options);
  for (const [i, v] of seeded.entries()) {
    await origin.db.sql`UPDATE videos SET views = ${videos[i]!.views} WHERE id = ${v.id}`;
    await federateVideo({ sql: origin.db.sql, config: origin.config, queues: origin.queues }, v.id, "create");
  }
  for (const f of followers) {
    await waitFor(`the videos to reach ${f.url}`, async () => {
      const [row] = await f.db.sql<{ n: number }[]>`SELECT count(*)::int AS n FROM videos WHERE uuid = ANY(${f.db.sql.array(seeded.map((v) => v.uuid))}::uuid[])`;
      return row!.n === seeded.length;
    }, { timeoutMs: 30_000 });
  }
  return { alice, videos: seeded };
}

/** The mirrors A has recorded of one of its videos: the instances' hosts and folders. */
export async function recordedMirrors(origin: Instance, uuid: string): Promise<{ domain: string; baseUrl: string; expiresAt: Date | null }[]> {
  return origin.db.sql<{ domain: string; baseUrl: string; expiresAt: Date | null }[]>`
    SELECT a.domain, r.base_url, r.expires_at FROM video_redundancies r JOIN actors a ON a.id = r.actor_id JOIN videos v ON v.id = r.video_id
    WHERE v.uuid = ${uuid}::uuid ORDER BY a.domain`;
}
