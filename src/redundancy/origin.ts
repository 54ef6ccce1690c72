/**
 * The origin's side: a CacheFile announcing a mirror of one of our videos is recorded only when its sender may mirror
 * us (the administrators' choice: nobody, anybody, or instances we follow) and the mirror really serves our segments
 * (a spot-check against our SHA-256 map). Recorded mirrors are checked again at every redundancy run; one serving
 * wrong bytes is dropped at once, one that stops answering after a few runs.
 */
import { join } from "node:path";
import type { Config } from "../config.ts";
import type { Db } from "../db/client.ts";
import type { FederationDeps } from "../federation/actors.ts";
import { instanceActor } from "../federation/actors.ts";
import type { InboxContext, InboxHandler } from "../federation/inbox-handlers.ts";
import { InvalidObjectError, type ParsedActivity } from "../federation/objects.ts";
import type { RemoteActorRow } from "../federation/queries.ts";
import { parseLocalVideoUri } from "../federation/note-objects.ts";
import { createLayout } from "../storage/layout.ts";
import { HLS_DIR } from "../transcoding/vod.ts";
import { parseSegmentHashMap, sha256Hex, SEGMENT_HASHES_FILE, type SegmentHashMap } from "../transcoding/hashes.ts";
import { carriesCacheFile, parseCacheFile, undoneCacheFileId, type ParsedCacheFile } from "./cache-file.ts";
import type { FetchBytes } from "./hls-copy.ts";
import { fetchBytesWith } from "./mirrors.ts";
import * as q from "./queries.ts";
import { loadRedundancySettings } from "./settings.ts";

/** A CacheFile checked before the inbox transaction: the local video it mirrors and the mirror's folder. */
export interface PreparedCacheFile {
  readonly cacheFile: ParsedCacheFile;
  readonly videoId: number;
}

/** Segments fetched from a mirror per check: enough to catch a wrong copy, few enough to cost the mirror nothing. */
const SPOT_CHECK_SEGMENTS = 3;
/** A mirror that has not answered this many runs in a row is dropped. */
export const MAX_FAILED_CHECKS = 3;
const MAX_SEGMENT_BYTES = 64 * 1_048_576;

export type SpotCheck = "match" | "mismatch" | "unreachable";

/**
 * Fetches a few segments (the first of the map, then others chosen at random) from the mirror folder and compares
 * them with our map. `pick(n)` chooses an index below n among the rest; tests pass a fixed one.
 */
export async function spotCheckMirror(
  fetchBytes: FetchBytes,
  baseUrl: string,
  hashes: SegmentHashMap,
  pick: (n: number) => number = (n) => Math.floor(Math.random() * n),
): Promise<SpotCheck> {
  const names = Object.keys(hashes).filter((n) => n.endsWith(".m4s") || n.endsWith(".ts") || n.endsWith(".mp4")).sort();
  if (names.length === 0) return "unreachable";
  const chosen = [names[0]!];
  const rest = names.slice(1);
  while (chosen.length < SPOT_CHECK_SEGMENTS && rest.length > 0) chosen.push(rest.splice(pick(rest.length), 1)[0]!);
  for (const name of chosen) {
    let body: Uint8Array;
    try {
      body = await fetchBytes(`${baseUrl}/${encodeURIComponent(name)}`, MAX_SEGMENT_BYTES);
    } catch {
      return "unreachable";
    }
    if (sha256Hex(body) !== hashes[name]) return "mismatch";
  }
  return "match";
}

/** Our SHA-256 map of a local video, read from disk. */
export async function localHashMap(config: Config, uuid: string): Promise<SegmentHashMap> {
  const path = join(createLayout(config.dataDir).videoDir(uuid), HLS_DIR, SEGMENT_HASHES_FILE);
  return parseSegmentHashMap(await Bun.file(path).json());
}

/** Whether the sender's instance may mirror our videos, by the administrators' choice. */
export async function mayMirrorUs(sql: Db, config: Config, sender: RemoteActorRow): Promise<boolean> {
  const { acceptFrom } = await loadRedundancySettings(sql, config);
  if (acceptFrom === "anybody") return true;
  if (acceptFrom === "nobody") return false;
  const self = await instanceActor(sql, config);
  return q.instanceFollowsDomain(sql, self.id, sender.domain);
}

/**
 * Reads and checks the CacheFile a Create or Update carries: about a public VOD video of ours, from an instance
 * allowed to mirror us, whose mirror serves matching segments. Null (the activity is then ignored) otherwise.
 */
export async function prepareCacheFileActivity(deps: FederationDeps, activity: ParsedActivity, sender: RemoteActorRow): Promise<PreparedCacheFile | null> {
  if ((activity.type !== "Create" && activity.type !== "Update") || !carriesCacheFile(activity.object)) return null;
  let cacheFile: ParsedCacheFile;
  try {
    cacheFile = parseCacheFile(activity.object, sender.uri, { allowHttp: deps.config.federation.allowPrivate });
  } catch (error) {
    if (error instanceof InvalidObjectError) return null;
    throw error;
  }
  const uuid = parseLocalVideoUri(deps.config.publicUrl, cacheFile.videoId);
  if (!uuid) return null;
  const video = await q.findLocalVideoByUuid(deps.sql, uuid);
  if (!video || !(await mayMirrorUs(deps.sql, deps.config, sender))) return null;
  const hashes = await localHashMap(deps.config, uuid).catch(() => null);
  if (!hashes) return null;
  const check = await spotCheckMirror(fetchBytesWith(deps.fetcher), cacheFile.baseUrl, hashes);
  if (check !== "match") {
    console.warn(`redundancy: ignored ${cacheFile.id}: the mirror's segments ${check === "mismatch" ? "do not match ours" : "could not be fetched"}`);
    return null;
  }
  return { cacheFile, videoId: video.id };
}

/** Create or Update of a CacheFile: records (or renews) the mirror checked beforehand. */
export const onCacheFile: InboxHandler = async (ctx: InboxContext) => {
  const prepared = ctx.cacheFile;
  if (!prepared) return [];
  const { cacheFile, videoId } = prepared;
  await q.upsertRedundancy(ctx.sql, { videoId, actorId: ctx.sender.id, apId: cacheFile.id, baseUrl: cacheFile.baseUrl, expiresAt: cacheFile.expires });
  return [];
};

/** Whether an Undo takes back a CacheFile. */
export function undoesCacheFile(activity: ParsedActivity): boolean {
  return undoneCacheFileId(activity) !== null;
}

/** Undo of a CacheFile's Create: the mirror is gone; only the instance that announced it can take it back. */
export const onUndoCacheFile: InboxHandler = async (ctx) => {
  const id = undoneCacheFileId(ctx.activity);
  const stored = id ? await q.findRedundancyByApId(ctx.sql, id) : null;
  if (stored && stored.actorId === ctx.sender.id) await q.deleteRedundancy(ctx.sql, stored.id);
  return [];
};

/** Checks every recorded mirror of our videos again; returns how many were dropped. */
export async function recheckRedundancies(deps: FederationDeps): Promise<number> {
  let dropped = 0;
  const fetchBytes = fetchBytesWith(deps.fetcher);
  for (const r of await q.listRedundanciesToCheck(deps.sql)) {
    const hashes = await localHashMap(deps.config, r.uuid).catch(() => null);
    if (!hashes) continue;
    const check = await spotCheckMirror(fetchBytes, r.baseUrl, hashes);
    const failures = check === "mismatch" ? MAX_FAILED_CHECKS : await q.recordRedundancyCheck(deps.sql, r.id, check === "match");
    if (failures >= MAX_FAILED_CHECKS) {
      await q.deleteRedundancy(deps.sql, r.id);
      dropped++;
      console.warn(`redundancy: dropped the mirror ${r.baseUrl}: ${check === "mismatch" ? "it serves wrong bytes" : "it stopped answering"}`);
    }
  }
  return dropped;
}
