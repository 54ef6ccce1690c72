/**
 * The redundancy run, every TUBELET_REDUNDANCY_INTERVAL_SECONDS and on the admin's "run now": counts what mirrors
 * served, re-checks others' mirrors of our videos, and when redundancy is on renews our CacheFiles, evicts what is
 * over budget and mirrors the best candidates of each strategy. One run at a time per instance (a Redis lock), since
 * web and worker processes may both start one.
 */
import type { Redis } from "ioredis";
import { instanceActor } from "../federation/actors.ts";
import { createBufferedCounters, type BufferedCounters } from "../queue/counters.ts";
import { mirrorVideo, removeMirror, renewMirror, sweepOrphanMirrorDirs, type MirrorDeps } from "./mirrors.ts";
import { recheckRedundancies } from "./origin.ts";
import * as q from "./queries.ts";
import { loadRedundancySettings, STRATEGIES, strategySettings, type RedundancySettings, type StrategyName } from "./settings.ts";

export interface RedundancyDeps extends MirrorDeps {
  readonly redis: Redis;
}

/** What one run did, for the admin page's notice, the logs and the tests. */
export interface RunReport {
  readonly ran: boolean;
  readonly mirrored: readonly string[];
  readonly renewed: number;
  readonly evicted: readonly string[];
  readonly dropped: number;
  readonly errors: readonly string[];
}

/** Candidates looked at per strategy and run; each run adds what fits, the next picks up from there. */
const CANDIDATES_PER_RUN = 20;
/** A run stuck this long (a crashed process) no longer holds the lock. */
const LOCK_MS = 30 * 60_000;

/** Bytes served from our mirrors, buffered in Redis by uuid (the static route adds, each run drains). */
export function servedCounters(redis: Redis, prefix: string): BufferedCounters {
  return createBufferedCounters(redis, `${prefix}redundancy:served`);
}

/** Adds the buffered bytes-served counts to the mirrors' rows. */
export async function flushBytesServed(deps: Pick<RedundancyDeps, "sql" | "redis" | "config">): Promise<void> {
  const counters = servedCounters(deps.redis, deps.config.redisPrefix);
  const counts = await counters.drain();
  try {
    await q.addBytesServed(deps.sql, counts);
  } catch (error) {
    await counters.restore(counts);
    throw error;
  }
}

/** Runs `work` under the instance's redundancy lock; null when another run holds it. */
export async function withRedundancyLock<T>(deps: Pick<RedundancyDeps, "redis" | "config">, work: () => Promise<T>): Promise<T | null> {
  const key = `${deps.config.redisPrefix}redundancy:lock`;
  const token = crypto.randomUUID();
  if ((await deps.redis.set(key, token, "PX", LOCK_MS, "NX")) !== "OK") return null;
  try {
    return await work();
  } finally {
    // Only our own lock is released, not one taken after ours lapsed.
    await deps.redis.eval("if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0", 1, key, token);
  }
}

/** Least useful first: fewest views, then least served, then oldest. */
function byUsefulness(a: q.MirrorRow, b: q.MirrorRow): number {
  return a.views - b.views || a.bytesServed - b.bytesServed || a.createdAt.getTime() - b.createdAt.getTime();
}

/** Whether a mirror has been kept its strategy's minimum lifetime (manual mirrors are never evicted automatically). */
export function pastMinLifetime(mirror: q.MirrorRow, settings: RedundancySettings, now: Date): boolean {
  if (mirror.strategy === "manual") return false;
  const hours = strategySettings(settings, mirror.strategy).minLifetimeHours;
  return now.getTime() - mirror.createdAt.getTime() >= hours * 3_600_000;
}

/**
 * The mirrors to evict so that `needBytes` more fit in `budget` and `needItems` more under `maxItems`: least useful
 * first, only those past their minimum lifetime and less viewed than `forViews` (a candidate never pushes out a
 * better mirror). Empty when even evicting every eligible mirror would not make room.
 */
export function chooseEvictions(
  mirrors: readonly q.MirrorRow[],
  room: { used: number; budget: number; needBytes: number; count: number; maxItems: number; needItems: number; forViews: number },
  settings: RedundancySettings,
  now: Date,
): q.MirrorRow[] {
  const eligible = mirrors.filter((m) => pastMinLifetime(m, settings, now) && m.views < room.forViews).sort(byUsefulness);
  const chosen: q.MirrorRow[] = [];
  let used = room.used;
  let count = room.count;
  for (const m of eligible) {
    if (used + room.needBytes <= room.budget && count + room.needItems <= room.maxItems) break;
    chosen.push(m);
    used -= m.sizeBytes;
    count--;
  }
  return used + room.needBytes <= room.budget && count + room.needItems <= room.maxItems ? chosen : [];
}

interface RunState {
  mirrors: q.MirrorRow[];
  readonly mirrored: string[];
  readonly evicted: string[];
  readonly errors: string[];
}

async function evict(deps: RedundancyDeps, state: RunState, victims: readonly q.MirrorRow[]): Promise<void> {
  for (const m of victims) {
    await removeMirror(deps, m);
    state.evicted.push(m.name);
    state.mirrors = state.mirrors.filter((x) => x.id !== m.id);
  }
}

/** One strategy's turn: evict what is over its budget, then mirror its best candidates that fit. */
async function runStrategy(deps: RedundancyDeps, settings: RedundancySettings, name: StrategyName, instanceActorId: number, state: RunState): Promise<void> {
  const { sizeBytes: budget } = strategySettings(settings, name);
  const now = new Date();
  const used = () => state.mirrors.filter((m) => m.strategy === name).reduce((sum, m) => sum + m.sizeBytes, 0);
  // The budget may have been lowered since: evict down to it, as far as minimum lifetimes allow.
  const over = state.mirrors.filter((m) => m.strategy === name && pastMinLifetime(m, settings, now)).sort(byUsefulness);
  while (used() > budget && over.length) await evict(deps, state, [over.shift()!]);
  if (budget === 0) return;
  const minViews = name === "recently-added" ? settings.recentlyAdded.minViews : 0;
  for (const candidate of await q.listCandidates(deps.sql, instanceActorId, name, minViews, CANDIDATES_PER_RUN)) {
    if (state.mirrors.some((m) => m.videoId === candidate.id)) continue;
    const ofStrategy = state.mirrors.filter((m) => m.strategy === name);
    const room = { used: used(), budget, needBytes: candidate.estimatedBytes, count: state.mirrors.length, maxItems: settings.maxItems, needItems: 1, forViews: candidate.views };
    const fits = room.used + room.needBytes <= budget && room.count + 1 <= settings.maxItems;
    const victims = fits ? [] : chooseEvictions(ofStrategy, room, settings, now);
    if (!fits && victims.length === 0) continue;
    await evict(deps, state, victims);
    try {
      await mirrorVideo(deps, candidate, name, budget - used());
      state.mirrored.push(candidate.name);
      state.mirrors = await q.listMirrors(deps.sql);
    } catch (error) {
      state.errors.push(`${candidate.name}: ${(error as Error).message}`);
    }
  }
}

/** One redundancy run; `ran` is false when another run held the lock. */
export async function runRedundancyOnce(deps: RedundancyDeps): Promise<RunReport> {
  const report = await withRedundancyLock(deps, async (): Promise<RunReport> => {
    await flushBytesServed(deps);
    await sweepOrphanMirrorDirs(deps);
    const dropped = await recheckRedundancies(deps);
    const settings = await loadRedundancySettings(deps.sql, deps.config);
    const state: RunState = { mirrors: await q.listMirrors(deps.sql), mirrored: [], evicted: [], errors: [] };
    let renewed = 0;
    const now = Date.now();
    const renewBefore = now + 2 * deps.config.redundancy.intervalSeconds * 1000;
    for (const m of state.mirrors) {
      // Switched off: automatic mirrors are not renewed, and go once their CacheFile has expired.
      if (!settings.enabled && m.strategy !== "manual") {
        if (m.expiresAt.getTime() <= now) await evict(deps, state, [m]);
        continue;
      }
      if (m.expiresAt.getTime() <= renewBefore) {
        await renewMirror(deps, m);
        renewed++;
      }
    }
    if (settings.enabled) {
      const self = await instanceActor(deps.sql, deps.config);
      for (const name of STRATEGIES) await runStrategy(deps, settings, name, self.id, state);
    }
    return { ran: true, mirrored: state.mirrored, renewed, evicted: state.evicted, dropped, errors: state.errors };
  });
  return report ?? { ran: false, mirrored: [], renewed: 0, evicted: [], dropped: 0, errors: [] };
}

/** Starts the periodic run; returns what stops it (waiting for a run in progress). A failed run is logged and the next one tries again. */
export function startRedundancySchedule(deps: RedundancyDeps): () => Promise<void> {
  let current: Promise<void> = Promise.resolve();
  const run = () => {
    current = runRedundancyOnce(deps)
      .then((r) => {
        if (r.mirrored.length || r.evicted.length || r.dropped || r.errors.length) {
          console.log(`redundancy: mirrored ${r.mirrored.length}, evicted ${r.evicted.length}, dropped ${r.dropped}${r.errors.length ? `; ${r.errors.join("; ")}` : ""}`);
        }
      })
      .catch((error: Error) => console.error(`redundancy: ${error.message}`));
  };
  const timer = setInterval(run, deps.config.redundancy.intervalSeconds * 1000);
  return async () => {
    clearInterval(timer);
    await current;
  };
}

/** Why a manual mirror could not be made, in words for the admin page. */
export class ManualMirrorError extends Error {
  override name = "ManualMirrorError";
}

/** An administrator mirrors a remote video by hand (kept until removed by hand; no budget applies). */
export async function mirrorByHand(deps: RedundancyDeps, videoId: number): Promise<string> {
  const video = await q.findMirrorableVideo(deps.sql, videoId);
  if (!video) throw new ManualMirrorError("Only published videos of other instances can be mirrored (lives cannot).");
  const done = await withRedundancyLock(deps, async () => {
    if ((await q.listMirrors(deps.sql)).some((m) => m.videoId === videoId)) throw new ManualMirrorError("This video is already mirrored.");
    await mirrorVideo(deps, video, "manual", Number.MAX_SAFE_INTEGER);
    return video.name;
  });
  if (done === null) throw new ManualMirrorError("A redundancy run is in progress; try again in a moment.");
  return done;
}

/** An administrator removes one of our mirrors (files deleted, Undo sent). */
export async function removeMirrorByHand(deps: RedundancyDeps, mirrorId: number): Promise<boolean> {
  const mirror = await q.findMirror(deps.sql, mirrorId);
  if (!mirror) return false;
  await removeMirror(deps, mirror);
  return true;
}
