/**
 * The Video object in PeerTube's vocabulary: built from a local video row, and parsed from what another instance
 * (PeerTube or Tubelet) publishes. Pure: no database, no network. Tests hold both against a PeerTube fixture.
 */
import type { Config } from "../config.ts";
import { videoUrls } from "../storage/layout.ts";
import { TRACKER_PATH } from "../p2p/tracker.ts";
import { CATEGORIES, LANGUAGES, DESCRIPTION_MAX, NAME_MAX, NAME_MIN, TAG_MAX } from "../videos/metadata.ts";
import type { VideoRow } from "../videos/queries.ts";
import { AS_PUBLIC, InvalidObjectError } from "./objects.ts";
import { localActorUri } from "./urls.ts";

/**
 * The terms of PeerTube's namespace a Video uses, so JSON-LD readers expand them as PeerTube's own; plain-JSON
 * readers (PeerTube, Mastodon) only look at the keys.
 */
export const VIDEO_CONTEXT = [
  "https://www.w3.org/ns/activitystreams",
  "https://w3id.org/security/v1",
  {
    pt: "https://joinpeertube.org/ns#",
    sc: "http://schema.org/",
    Hashtag: "as:Hashtag",
    uuid: "sc:identifier",
    category: "sc:category",
    language: "sc:inLanguage",
    sensitive: "as:sensitive",
    views: { "@type": "sc:Number", "@id": "pt:views" },
    state: { "@type": "sc:Number", "@id": "pt:state" },
    waitTranscoding: { "@type": "sc:Boolean", "@id": "pt:waitTranscoding" },
    commentsEnabled: { "@type": "sc:Boolean", "@id": "pt:commentsEnabled" },
    commentsPolicy: { "@type": "sc:Number", "@id": "pt:commentsPolicy" },
    downloadEnabled: { "@type": "sc:Boolean", "@id": "pt:downloadEnabled" },
    isLiveBroadcast: { "@type": "sc:Boolean", "@id": "pt:isLiveBroadcast" },
  },
];

/** PeerTube's `state` of a video that plays (VideoState.PUBLISHED). */
export const PEERTUBE_STATE_PUBLISHED = 1;
/** PeerTube's comment policies: 1 enabled, 2 disabled. */
const COMMENTS_ENABLED = 1;
const COMMENTS_DISABLED = 2;

/** The ActivityPub id of a local video: PeerTube's watch URL with the uuid, which is also its canonical page. */
export function localVideoUri(publicUrl: string, uuid: string): string {
  return `${publicUrl}/videos/watch/${uuid}`;
}

/** Seconds as an ISO-8601 duration the way PeerTube writes them: whole seconds only, "PT123S". */
export function toIsoDuration(seconds: number): string {
  return `PT${Math.max(0, Math.round(seconds))}S`;
}

/** An ISO-8601 time duration ("PT123S", "PT1H2M3.5S") in seconds; null when it is not one. */
export function parseIsoDuration(value: unknown): number | null {
  if (typeof value !== "string") return null;
  const match = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/.exec(value);
  if (!match || value === "P" || value.endsWith("T")) return null;
  const [, d, h, m, s] = match;
  return Number(d ?? 0) * 86_400 + Number(h ?? 0) * 3600 + Number(m ?? 0) * 60 + Number(s ?? 0);
}

/** Absolute URL of a path of this instance. */
function abs(config: Config, path: string): string {
  return `${config.publicUrl}${path}`;
}

/** What toVideoObject needs of a video: its row (channel and owner handles included). */
export type VideoObjectSource = Pick<
  VideoRow,
  | "uuid" | "shortId" | "name" | "description" | "duration" | "category" | "language" | "tags" | "views" | "sensitive"
  | "commentsEnabled" | "downloadEnabled" | "isLive" | "width" | "height" | "fps" | "renditions" | "createdAt" | "updatedAt"
  | "publishedAt" | "channelHandle" | "ownerHandle"
>;

/**
 * A public local video as PeerTube publishes one: `url[]` starts with the watch page (Mastodon embeds the first
 * text/html link), then the HLS master playlist whose `tag` holds the SHA-256 map and one entry per rendition,
 * then the trackers. Addressed to the public, with the channel's followers in cc.
 */
export function toVideoObject(video: VideoObjectSource, config: Config): Record<string, unknown> {
  const id = localVideoUri(config.publicUrl, video.uuid);
  const urls = videoUrls(video.uuid);
  const channelUri = localActorUri(config.publicUrl, "group", video.channelHandle);
  const accountUri = localActorUri(config.publicUrl, "person", video.ownerHandle);
  const fps = Math.round(video.fps);
  const renditionLinks = video.renditions.map((r) => ({
    type: "Link",
    mediaType: "application/x-mpegURL",
    rel: ["rendition"],
    href: abs(config, `/static/videos/${video.uuid}/hls/${r.playlist}`),
    height: r.height,
    width: r.width,
    size: r.size,
    fps,
  }));
  const tracker = `${config.publicUrl.replace(/^http/, "ws")}${TRACKER_PATH}`;
  return {
    "@context": VIDEO_CONTEXT,
    type: "Video",
    id,
    name: video.name,
    duration: toIsoDuration(video.duration),
    uuid: video.uuid,
    category: video.category ? { identifier: String(video.category), name: CATEGORIES[video.category] ?? "Unknown" } : undefined,
    language: video.language ? { identifier: video.language, name: LANGUAGES[video.language] ?? video.language } : undefined,
    views: video.views,
    sensitive: video.sensitive,
    waitTranscoding: false,
    state: PEERTUBE_STATE_PUBLISHED,
    commentsEnabled: video.commentsEnabled,
    commentsPolicy: video.commentsEnabled ? COMMENTS_ENABLED : COMMENTS_DISABLED,
    downloadEnabled: video.downloadEnabled,
    isLiveBroadcast: video.isLive,
    published: (video.publishedAt ?? video.createdAt).toISOString(),
    updated: video.updatedAt.toISOString(),
    mediaType: "text/markdown",
    content: video.description,
    tag: video.tags.map((name) => ({ type: "Hashtag", name })),
    icon: [
      { type: "Image", url: abs(config, urls.thumbnail), mediaType: "image/jpeg", width: 280, height: 158 },
      { type: "Image", url: abs(config, urls.preview), mediaType: "image/jpeg", width: 850, height: 480 },
    ],
    url: [
      { type: "Link", mediaType: "text/html", href: id },
      { type: "Link", mediaType: "text/html", href: abs(config, `/w/${video.shortId}`) },
      {
        type: "Link",
        mediaType: "application/x-mpegURL",
        href: abs(config, urls.master),
        tag: [{ type: "Link", name: "sha256", mediaType: "application/json", href: abs(config, urls.hashes) }, ...renditionLinks],
      },
      { type: "Link", name: "tracker-websocket", rel: ["tracker", "websocket"], href: tracker },
    ],
    attributedTo: [
      { type: "Person", id: accountUri },
      { type: "Group", id: channelUri },
    ],
    to: [AS_PUBLIC],
    cc: [`${channelUri}/followers`],
  };
}

/** A Video as this instance keeps a remote one: plain values, URLs all absolute. */
export interface ParsedVideo {
  readonly id: string;
  readonly uuid: string;
  readonly name: string;
  readonly description: string;
  readonly durationSeconds: number;
  readonly category: number | null;
  readonly language: string | null;
  readonly tags: readonly string[];
  readonly views: number;
  readonly sensitive: boolean;
  readonly commentsEnabled: boolean;
  readonly downloadEnabled: boolean;
  readonly isLive: boolean;
  /** PeerTube's state number; 1 is a video that plays. */
  readonly state: number;
  readonly published: Date;
  readonly updated: Date;
  /** The Group (channel) and Person (account) it is attributed to; either may be unknown when given as bare ids. */
  readonly channelUri: string | null;
  readonly accountUri: string | null;
  /** Every id in attributedTo, whatever its type, for readers that have to look them up. */
  readonly attributedTo: readonly string[];
  readonly watchUrl: string;
  readonly masterUrl: string;
  readonly hashesUrl: string | null;
  readonly trackerUrls: readonly string[];
  readonly thumbnailUrl: string | null;
  readonly previewUrl: string | null;
  readonly renditions: readonly { height: number; width: number; size: number; href: string }[];
  readonly width: number;
  readonly height: number;
  readonly fps: number;
}

export interface ParseVideoOptions {
  /** http: ids and media are accepted only when the instance federates on a private network (tests, LANs). */
  readonly allowHttp: boolean;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : value === undefined || value === null ? [] : [value];
}

/**
 * Reads a Video object strictly: it needs an id, a uuid, a name, a duration, a watch page and an HLS master
 * playlist, all on http(s) URLs (https only, unless `allowHttp`). The channel it is attributed to must be on the
 * origin of the video's id, as PeerTube requires: an instance speaks only for its own channels.
 */
export function parseVideoObject(json: unknown, options: ParseVideoOptions): ParsedVideo {
  if (!isRecord(json)) throw new InvalidObjectError("a video must be a JSON object");
  if (json.type !== "Video") throw new InvalidObjectError(`type ${JSON.stringify(json.type)} is not Video`);
  const url = (value: unknown, field: string): string => {
    const found = optionalUrl(value, options);
    if (!found) throw new InvalidObjectError(`${field} must be an ${options.allowHttp ? "http(s)" : "https"} URL`);
    return found;
  };
  const id = url(json.id, "id");
  const origin = new URL(id).origin;
  if (typeof json.uuid !== "string" || !UUID.test(json.uuid)) throw new InvalidObjectError("uuid must be a UUID");
  const name = typeof json.name === "string" ? json.name.trim() : "";
  if ([...name].length < NAME_MIN) throw new InvalidObjectError(`name must have at least ${NAME_MIN} characters`);
  const durationSeconds = parseIsoDuration(json.duration);
  if (durationSeconds === null) throw new InvalidObjectError("duration must be an ISO-8601 duration such as PT123S");

  const links = list(json.url).filter(isRecord);
  const watchUrl = links.map((l) => (l.mediaType === "text/html" ? optionalUrl(l.href, options) : null)).find(Boolean);
  if (!watchUrl) throw new InvalidObjectError("url has no text/html watch page");
  const playlist = links.find((l) => (l.mediaType ?? l.mimeType) === "application/x-mpegURL" && optionalUrl(l.href, options));
  if (!playlist) throw new InvalidObjectError("url has no application/x-mpegURL master playlist");
  const playlistTags = list(playlist.tag).filter(isRecord);
  const hashes = playlistTags.find((t) => t.name === "sha256" && t.mediaType === "application/json");
  const renditions = playlistTags
    .filter((t) => (t.mediaType === "video/mp4" || t.mediaType === "application/x-mpegURL") && optionalUrl(t.href, options))
    .map((t) => ({ height: int(t.height), width: int(t.width), size: int(t.size), href: t.href as string, fps: int(t.fps) }))
    .sort((a, b) => b.height - a.height);
  const trackerUrls = links
    .filter((l) => list(l.rel).includes("tracker") && typeof l.href === "string" && /^(wss?|https?):\/\//.test(l.href))
    .map((l) => l.href as string);

  const attributed = list(json.attributedTo)
    .map((a) => (isRecord(a) ? { id: optionalUrl(a.id, options), type: a.type } : { id: optionalUrl(a, options), type: null }))
    .filter((a): a is { id: string; type: unknown } => a.id !== null);
  if (attributed.length === 0) throw new InvalidObjectError("attributedTo names no actor");
  const channelUri = attributed.find((a) => a.type === "Group")?.id ?? null;
  const accountUri = attributed.find((a) => a.type === "Person")?.id ?? null;
  if (channelUri && new URL(channelUri).origin !== origin) throw new InvalidObjectError(`channel ${channelUri} is not on the video's origin`);

  const icons = list(json.icon)
    .filter(isRecord)
    .map((i) => ({ url: optionalUrl(i.url, options), width: int(i.width) }))
    .filter((i): i is { url: string; width: number } => i.url !== null)
    .sort((a, b) => a.width - b.width);
  const category = isRecord(json.category) ? Number.parseInt(String(json.category.identifier), 10) : Number.NaN;
  const language = isRecord(json.language) && typeof json.language.identifier === "string" ? json.language.identifier : null;
  const content = typeof json.content === "string" ? json.content : "";
  const commentsEnabled = typeof json.commentsEnabled === "boolean" ? json.commentsEnabled : json.commentsPolicy === COMMENTS_ENABLED;
  const top = renditions[0];
  return {
    id,
    uuid: json.uuid.toLowerCase(),
    name: clip(name, NAME_MAX),
    description: clip(json.mediaType === "text/html" ? stripHtml(content) : content, DESCRIPTION_MAX),
    durationSeconds,
    // Categories and languages outside our lists would not show or filter; they are dropped rather than mislabelled.
    category: Number.isInteger(category) && CATEGORIES[category] ? category : null,
    language: language && LANGUAGES[language] ? language : null,
    tags: [...new Set(list(json.tag).filter(isRecord).filter((t) => t.type === "Hashtag" && typeof t.name === "string")
      .map((t) => clip((t.name as string).replace(/^#/, ""), TAG_MAX)).filter((t) => t.length >= 2))].slice(0, 5),
    views: Math.max(0, int(json.views)),
    sensitive: json.sensitive === true,
    commentsEnabled,
    downloadEnabled: json.downloadEnabled !== false,
    isLive: json.isLiveBroadcast === true,
    state: typeof json.state === "number" ? json.state : PEERTUBE_STATE_PUBLISHED,
    published: date(json.published, "published"),
    updated: date(json.updated ?? json.published, "updated"),
    channelUri,
    accountUri,
    attributedTo: attributed.map((a) => a.id),
    watchUrl,
    masterUrl: playlist.href as string,
    hashesUrl: hashes ? optionalUrl(hashes.href, options) : null,
    trackerUrls,
    thumbnailUrl: icons[0]?.url ?? null,
    previewUrl: icons.at(-1)?.url ?? null,
    renditions: renditions.map(({ fps: _, ...r }) => r),
    width: top?.width ?? 0,
    height: top?.height ?? 0,
    fps: top?.fps ?? 0,
  };
}

function optionalUrl(value: unknown, options: ParseVideoOptions): string | null {
  if (typeof value !== "string") return null;
  try {
    const url = new URL(value);
    return url.protocol === "https:" || (options.allowHttp && url.protocol === "http:") ? value : null;
  } catch {
    return null;
  }
}

function int(value: unknown): number {
  const n = Number(value);
  return Number.isFinite(n) ? Math.round(n) : 0;
}

function date(value: unknown, field: string): Date {
  const parsed = typeof value === "string" ? new Date(value) : null;
  if (!parsed || Number.isNaN(parsed.getTime())) throw new InvalidObjectError(`${field} must be a date`);
  return parsed;
}

function clip(text: string, max: number): string {
  return [...text].slice(0, max).join("");
}

/** Mastodon-style HTML content kept as text. */
function stripHtml(html: string): string {
  return html.replace(/<br\s*\/?>|<\/p>/gi, "\n").replace(/<[^>]*>/g, "").replace(/&lt;/g, "<").replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, "&").trim();
}

/** Create / Update of a video: sent by the account, to the public, with the followers of channel and account in cc. */
export function toVideoActivity(
  type: "Create" | "Update",
  activityId: string,
  actorUri: string,
  video: Record<string, unknown>,
): Record<string, unknown> {
  const { "@context": context, ...object } = video;
  return { "@context": context, id: activityId, type, actor: actorUri, to: object.to, cc: object.cc, object };
}

/** The channel shares a video (PeerTube's Announce of a video id), so followers of the channel see it as the channel's. */
export function toAnnounceActivity(activityId: string, channelUri: string, videoId: string, cc: readonly string[]): Record<string, unknown> {
  return { "@context": VIDEO_CONTEXT.slice(0, 2), id: activityId, type: "Announce", actor: channelUri, object: videoId, to: [AS_PUBLIC], cc };
}

/** A Delete of a video, by its id (PeerTube sends the bare id; a Tombstone works as well for us). */
export function toDeleteActivity(activityId: string, actorUri: string, videoId: string, cc: readonly string[]): Record<string, unknown> {
  return { "@context": VIDEO_CONTEXT.slice(0, 2), id: activityId, type: "Delete", actor: actorUri, object: videoId, to: [AS_PUBLIC], cc };
}
