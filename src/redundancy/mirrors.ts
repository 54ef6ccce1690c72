/**
 * Our mirrors of remote videos: made (every file downloaded and checked, then moved into place in one rename),
 * announced to the origin and our followers with a CacheFile, renewed before it expires, and removed with an Undo.
 */
import { randomUUID } from "node:crypto";
import { readdir, rename, rm, mkdir } from "node:fs/promises";
import { join } from "node:path";
import type { Config } from "../config.ts";
import type { Sql } from "../db/client.ts";
import type { Queues } from "../queue/queues.ts";
import type { Layout } from "../storage/layout.ts";
import { readLimitedBytes, type SafeFetcher } from "../federation/fetcher.ts";
import { instanceActor } from "../federation/actors.ts";
import { enqueueDeliveries } from "../federation/delivery.ts";
import { toUndoActivity } from "../federation/objects.ts";
import { remoteFollowerInboxes } from "../federation/video-queries.ts";
import { localActorUri } from "../federation/urls.ts";
import { cacheFileId, toCacheFileActivity, toCacheFileObject } from "./cache-file.ts";
import { copyHlsLadder, MirrorError, type FetchBytes } from "./hls-copy.ts";
import * as q from "./queries.ts";

/** What mirroring needs: the database, config, data layout, queues (to announce) and the safe fetcher. */
export interface MirrorDeps {
  readonly sql: Sql;
  readonly config: Config;
  readonly layout: Layout;
  readonly queues: Queues;
  readonly fetcher: SafeFetcher;
}

/** The folder of our mirror of a video, below the data folder (served as /static/redundancy/hls/<uuid>/). */
export function mirrorDir(layout: Layout, uuid: string): string {
  return join(layout.root, "redundancy", "hls", uuid);
}

/**
 * How long a CacheFile vouches for a mirror: three runs of the job (it is renewed when less than two are left), and
 * at least an hour so a short test interval does not flood origins with Updates.
 */
export function cacheFileLifetimeMs(config: Config): number {
  return Math.max(3 * config.redundancy.intervalSeconds, 3600) * 1000;
}

/** GETs through the safe fetcher (private addresses refused unless federation allows them), at most `maxBytes`. */
export function fetchBytesWith(fetcher: SafeFetcher): FetchBytes {
  return async (url, maxBytes) => {
    const response = await fetcher.send(new Request(url)).catch((error: Error) => {
      throw new MirrorError(`${url} could not be fetched: ${error.message}`);
    });
    if (!response.ok) {
      await response.body?.cancel();
      throw new MirrorError(`${url} answered ${response.status}`);
    }
    return readLimitedBytes(response, maxBytes, url);
  };
}

async function announce(deps: MirrorDeps, mirror: q.MirrorRow, type: "Create" | "Update" | "Undo"): Promise<void> {
  const actor = await instanceActor(deps.sql, deps.config);
  const actorUri = localActorUri(deps.config.publicUrl, "application", actor.handle);
  const object = toCacheFileObject(deps.config.publicUrl, mirror);
  const id = cacheFileId(deps.config.publicUrl, mirror.uuid);
  // Every announcement gets its own activity id: receivers apply an id once, and a video mirrored again after an
  // eviction must be news again.
  const create = toCacheFileActivity("Create", `${id}/create/${randomUUID()}`, actorUri, object);
  const activity =
    type === "Create" ? create
    : type === "Update" ? toCacheFileActivity("Update", `${id}/updates/${randomUUID()}`, actorUri, object)
    : toUndoActivity(`${id}/undo/${randomUUID()}`, actorUri, create);
  const inboxes = [mirror.originInbox, ...(await remoteFollowerInboxes(deps.sql, [actor.id]))];
  await enqueueDeliveries(deps.queues, deps.config, [{ signerActorId: actor.id, activity, inboxes }]);
}

/**
 * Mirrors a remote video: downloads its ladder into a work folder (nothing is kept if any file fails or does not
 * match the origin's map), moves it into place, records it and announces the CacheFile. Returns the mirror's id.
 */
export async function mirrorVideo(deps: MirrorDeps, video: q.CandidateRow, strategy: q.MirrorStrategy, maxBytes: number): Promise<number> {
  if (!video.originHashesUrl) throw new MirrorError("the origin publishes no SHA-256 map, so a copy could not be checked");
  const work = join(deps.layout.root, "tmp", "redundancy", `${video.uuid}-${randomUUID()}`);
  const target = mirrorDir(deps.layout, video.uuid);
  try {
    const copy = await copyHlsLadder({ masterUrl: video.originMasterUrl, hashesUrl: video.originHashesUrl }, work, fetchBytesWith(deps.fetcher), maxBytes);
    await mkdir(join(target, ".."), { recursive: true });
    await rm(target, { recursive: true, force: true });
    await rename(work, target);
    const expiresAt = new Date(Date.now() + cacheFileLifetimeMs(deps.config));
    const id = await q.insertMirror(deps.sql, { videoId: video.id, uuid: video.uuid, strategy, sizeBytes: copy.bytes, expiresAt });
    if (id === null) throw new MirrorError("this video is already mirrored");
    const row = await q.findMirror(deps.sql, id);
    if (row) await announce(deps, row, "Create");
    return id;
  } catch (error) {
    await rm(work, { recursive: true, force: true });
    throw error;
  }
}

/** Removes a mirror: its row and files go, and the origin and our followers hear an Undo of its CacheFile. */
export async function removeMirror(deps: MirrorDeps, mirror: q.MirrorRow): Promise<void> {
  if (!(await q.deleteMirror(deps.sql, mirror.id))) return;
  await rm(mirrorDir(deps.layout, mirror.uuid), { recursive: true, force: true });
  await announce(deps, mirror, "Undo");
}

/** Pushes a mirror's expiry forward and tells the origin (Update of the CacheFile). */
export async function renewMirror(deps: MirrorDeps, mirror: q.MirrorRow): Promise<void> {
  const expiresAt = new Date(Date.now() + cacheFileLifetimeMs(deps.config));
  await q.setMirrorExpiry(deps.sql, mirror.id, expiresAt);
  await announce(deps, { ...mirror, expiresAt }, "Update");
}

/** Mirror folders whose row is gone (the remote video was deleted, or a crash came between rename and insert). */
export async function sweepOrphanMirrorDirs(deps: Pick<MirrorDeps, "sql" | "layout">): Promise<number> {
  const root = join(deps.layout.root, "redundancy", "hls");
  const names = await readdir(root).catch(() => [] as string[]);
  if (names.length === 0) return 0;
  const kept = new Set((await deps.sql<{ uuid: string }[]>`SELECT uuid::text FROM video_mirrors`).map((r) => r.uuid));
  let removed = 0;
  for (const name of names) {
    if (kept.has(name)) continue;
    await rm(join(root, name), { recursive: true, force: true });
    removed++;
  }
  return removed;
}
