/**
 * The CacheFile object in PeerTube's shape: a mirror of a video's HLS playlist announced by the mirroring instance's
 * actor. `object` is the video's id, `url` a Link to the folder holding the mirror's playlists and segments (named as
 * the origin names them), `expires` when the mirror stops vouching for it unless renewed. Pure: no database, no network.
 */
import { AS_PUBLIC, InvalidObjectError, parseEmbeddedActivity, type ParsedActivity } from "../federation/objects.ts";
import { VIDEO_CONTEXT } from "../federation/video-objects.ts";

export const HLS_MEDIA_TYPE = "application/x-mpegURL";

/** The public URL path of our mirror of a video: the folder with its master playlist and segments. */
export function mirrorPath(uuid: string): string {
  return `/static/redundancy/hls/${uuid}`;
}

/** The CacheFile's id: PeerTube's URL scheme for the mirror of a video's HLS playlist. */
export function cacheFileId(publicUrl: string, uuid: string): string {
  return `${publicUrl}/redundancy/streaming-playlists/hls/${uuid}`;
}

/** The CacheFile of our mirror of a video. */
export function toCacheFileObject(publicUrl: string, mirror: { uuid: string; videoApId: string; expiresAt: Date }): Record<string, unknown> {
  return {
    id: cacheFileId(publicUrl, mirror.uuid),
    type: "CacheFile",
    object: mirror.videoApId,
    expires: mirror.expiresAt.toISOString(),
    url: { type: "Link", mediaType: HLS_MEDIA_TYPE, href: `${publicUrl}${mirrorPath(mirror.uuid)}` },
  };
}

/**
 * Create (first announce) or Update (renewed `expires`) of a CacheFile, by the instance actor. Addressed to the
 * public with the instance's followers in cc, as PeerTube does; it is delivered to the origin and to those followers.
 */
export function toCacheFileActivity(type: "Create" | "Update", activityId: string, actorUri: string, cacheFile: Record<string, unknown>): Record<string, unknown> {
  return { "@context": VIDEO_CONTEXT, id: activityId, type, actor: actorUri, to: [AS_PUBLIC], cc: [`${actorUri}/followers`], object: cacheFile };
}

/** A CacheFile as the origin keeps it. */
export interface ParsedCacheFile {
  readonly id: string;
  readonly videoId: string;
  readonly baseUrl: string;
  readonly expires: Date | null;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Whether an activity's object is a CacheFile (embedded; a bare id says nothing of its type). */
export function carriesCacheFile(object: unknown): boolean {
  return isRecord(object) && object.type === "CacheFile";
}

function httpUrl(value: unknown, field: string, allowHttp: boolean): string {
  try {
    const url = new URL(String(value));
    if (url.protocol === "https:" || (allowHttp && url.protocol === "http:")) return url.href;
  } catch {
    // reported below
  }
  throw new InvalidObjectError(`${field} must be an ${allowHttp ? "http(s)" : "https"} URL`);
}

/**
 * Reads a CacheFile of an HLS playlist. The id and the mirror's URL must be on the sender's origin: an instance
 * only vouches for files it serves itself. A trailing slash or a master playlist name on the URL is reduced to the folder.
 */
export function parseCacheFile(json: unknown, senderUri: string, options: { allowHttp: boolean }): ParsedCacheFile {
  if (!isRecord(json) || json.type !== "CacheFile") throw new InvalidObjectError("not a CacheFile");
  const origin = new URL(senderUri).origin;
  const id = httpUrl(json.id, "id", options.allowHttp);
  const videoId = httpUrl(typeof json.object === "string" ? json.object : isRecord(json.object) ? json.object.id : null, "object", options.allowHttp);
  const links = (Array.isArray(json.url) ? json.url : [json.url]).filter(isRecord);
  const link = links.find((l) => (l.mediaType ?? l.mimeType) === HLS_MEDIA_TYPE);
  if (!link) throw new InvalidObjectError(`url has no ${HLS_MEDIA_TYPE} link`);
  const href = httpUrl(link.href, "url.href", options.allowHttp);
  if (new URL(id).origin !== origin || new URL(href).origin !== origin) throw new InvalidObjectError("a CacheFile must be on its sender's origin");
  const baseUrl = href.replace(/\/[^/]*\.m3u8$/, "").replace(/\/+$/, "");
  const expires = typeof json.expires === "string" ? new Date(json.expires) : null;
  if (expires && Number.isNaN(expires.getTime())) throw new InvalidObjectError("expires must be a date");
  return { id, videoId, baseUrl, expires };
}

/** The CacheFile id an Undo takes back: of an embedded Create of a CacheFile, or the id the Undo names. */
export function undoneCacheFileId(activity: ParsedActivity): string | null {
  const embedded = parseEmbeddedActivity(activity.object);
  if (!embedded) return null;
  if (embedded.type !== "Create" || !carriesCacheFile(embedded.object)) return null;
  const id = (embedded.object as { id?: unknown }).id;
  return typeof id === "string" ? id : null;
}
