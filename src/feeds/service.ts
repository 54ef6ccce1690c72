/**
 * Feeds of the instance, a channel or an account, at PeerTube's URLs and with PeerTube's query parameters
 * (videoChannelId / videoChannelName / accountId / accountName, format=rss|atom), so feed readers and tools
 * written for PeerTube work unchanged. Owns: choosing what a feed lists and describing it as plain values.
 */
import { stat } from "node:fs/promises";
import { join } from "node:path";
import type { Config } from "../config.ts";
import type { Db as Sql } from "../db/client.ts";
import type { Layout } from "../storage/layout.ts";
import { videoUrls } from "../storage/layout.ts";
import { DOWNLOAD_FILE } from "../transcoding/vod.ts";
import { HttpError, notFound } from "../http/errors.ts";
import { staticUrl } from "../http/urls.ts";
import type { I18n } from "../i18n/i18n.ts";
import { findChannelByHandle, findChannelById } from "../channels/queries.ts";
import { findUserByHandle, findUserById } from "../accounts/queries.ts";
import { renderMarkdown } from "../../views/markdown.ts";
import { listFeedVideos, type FeedVideoRow } from "./queries.ts";
import type { Enclosure, Feed, FeedItem } from "./render.ts";

export interface FeedsDeps {
  readonly config: Config;
  readonly sql: Sql;
  readonly layout: Layout;
}

/** Newest videos in a feed; PeerTube's feeds list as many by default. */
export const FEED_SIZE = 50;

export type FeedFormat = "rss" | "atom";

/** Whose videos a feed lists, as named in the query. */
export type FeedSelector =
  | { readonly kind: "instance" }
  | { readonly kind: "channel"; readonly id?: number; readonly handle?: string }
  | { readonly kind: "account"; readonly id?: number; readonly handle?: string };

/** A resolved feed owner, with what its feed header shows. */
export type FeedOwner =
  | { readonly kind: "instance" }
  | { readonly kind: "channel"; readonly id: number; readonly handle: string; readonly displayName: string; readonly description: string; readonly avatarPath: string | null }
  | { readonly kind: "account"; readonly id: number; readonly handle: string; readonly displayName: string; readonly description: string; readonly avatarPath: string | null };

// PeerTube's own spellings of the formats (rss2, atom1) are accepted too.
const FORMATS: Readonly<Record<string, FeedFormat>> = { rss: "rss", rss2: "rss", xml: "rss", atom: "atom", atom1: "atom" };

type Query = Readonly<Record<string, unknown>>;

function queryString(query: Query, name: string): string | undefined {
  const value = query[name];
  const text = Array.isArray(value) ? value[0] : value;
  return typeof text === "string" && text.trim() !== "" ? text.trim() : undefined;
}

/** The feed format; missing means RSS. */
export function parseFeedFormat(query: Query, i18n: I18n): FeedFormat {
  const raw = queryString(query, "format");
  if (raw === undefined) return "rss";
  const format = FORMATS[raw.toLowerCase()];
  if (!format) throw new HttpError(400, i18n.t("feeds.error.format"));
  return format;
}

function parseId(raw: string | undefined, i18n: I18n): number | undefined {
  if (raw === undefined) return undefined;
  if (!/^\d{1,15}$/.test(raw)) throw new HttpError(400, i18n.t("feeds.error.id"));
  return Number(raw);
}

/**
 * A handle as PeerTube clients send it: `name`, `@name` or `name@host`. Only this instance's actors have
 * feeds here, so another host is simply not found.
 */
export function localHandle(raw: string, publicHost: string): string | null {
  const [name = "", host] = raw.replace(/^@/, "").toLowerCase().split("@");
  if (host !== undefined && host !== publicHost.toLowerCase()) return null;
  return name;
}

/** Whose feed the query asks for; a channel and an account at once is a mistake, not a choice. */
export function parseFeedSelector(query: Query, i18n: I18n): FeedSelector {
  const channelId = parseId(queryString(query, "videoChannelId"), i18n);
  const channelHandle = queryString(query, "videoChannelName");
  const accountId = parseId(queryString(query, "accountId"), i18n);
  const accountHandle = queryString(query, "accountName");
  const forChannel = channelId !== undefined || channelHandle !== undefined;
  const forAccount = accountId !== undefined || accountHandle !== undefined;
  if (forChannel && forAccount) throw new HttpError(400, i18n.t("feeds.error.both"));
  if (forChannel) return { kind: "channel", id: channelId, handle: channelHandle };
  if (forAccount) return { kind: "account", id: accountId, handle: accountHandle };
  return { kind: "instance" };
}

/** Looks the channel or account up; 404 with a sentence when there is none. */
export async function resolveFeedOwner(deps: FeedsDeps, selector: FeedSelector, i18n: I18n): Promise<FeedOwner> {
  if (selector.kind === "instance") return selector;
  const handle = selector.handle === undefined ? undefined : localHandle(selector.handle, deps.config.publicHost);
  if (selector.kind === "channel") {
    const channel =
      handle === null ? null : selector.id !== undefined ? await findChannelById(deps.sql, selector.id) : await findChannelByHandle(deps.sql, handle!);
    // With both given, they must name the same channel.
    if (!channel || (handle && channel.handle !== handle)) throw notFound(i18n.t("feeds.error.noChannel"));
    return { kind: "channel", id: channel.id, handle: channel.handle, displayName: channel.displayName, description: channel.description, avatarPath: channel.avatarPath };
  }
  const user = handle === null ? null : selector.id !== undefined ? await findUserById(deps.sql, selector.id) : await findUserByHandle(deps.sql, handle!);
  if (!user || !user.approved || (handle && user.handle !== handle)) throw notFound(i18n.t("feeds.error.noAccount"));
  return { kind: "account", id: user.id, handle: user.handle, displayName: user.displayName, description: user.description, avatarPath: user.avatarPath };
}

/** The canonical URL of a feed: what rel="self" and podcast:guid are computed from. */
export function feedUrl(publicUrl: string, owner: FeedOwner, options: { format?: FeedFormat; podcast?: boolean } = {}): string {
  const params = new URLSearchParams();
  if (owner.kind === "channel") params.set("videoChannelId", String(owner.id));
  if (owner.kind === "account") params.set("accountId", String(owner.id));
  if (!options.podcast && options.format === "atom") params.set("format", "atom");
  const query = params.size ? `?${params}` : "";
  return `${publicUrl}/feeds/${options.podcast ? "podcast/" : ""}videos.xml${query}`;
}

/**
 * What a podcast app downloads: the progressive MP4 when the creator allows downloads and transcoding wrote
 * one (its size is the enclosure's length), else the HLS master playlist, which many podcast apps play too.
 */
async function enclosureFor(deps: FeedsDeps, video: FeedVideoRow): Promise<Enclosure> {
  const urls = videoUrls(video.uuid);
  if (video.downloadEnabled) {
    const size = await stat(join(deps.layout.videoDir(video.uuid), DOWNLOAD_FILE)).then((s) => (s.isFile() ? s.size : 0), () => 0);
    if (size > 0) return { url: deps.config.publicUrl + urls.download, type: video.audioOnly ? "audio/mp4" : "video/mp4", length: size };
  }
  return { url: deps.config.publicUrl + urls.master, type: "application/x-mpegURL", length: 0 };
}

function feedItem(config: Config, video: FeedVideoRow, enclosure: Enclosure | null): FeedItem {
  const link = `${config.publicUrl}/w/${video.shortId}`;
  const urls = videoUrls(video.uuid);
  const thumbnailUrl = config.publicUrl + urls.thumbnail;
  // renderMarkdown escapes the author's text; only its own tags and the thumbnail are markup.
  const image = `<p><a href="${link}"><img src="${thumbnailUrl}" alt="" width="280" height="158"></a></p>`;
  return {
    title: video.name,
    link,
    guid: video.uuid,
    contentHtml: image + renderMarkdown(video.description),
    published: video.publishedAt,
    updated: video.updatedAt > video.publishedAt ? video.updatedAt : video.publishedAt,
    durationSeconds: video.duration,
    thumbnailUrl,
    imageUrl: config.publicUrl + urls.preview,
    authorName: video.channelDisplayName,
    authorUrl: `${config.publicUrl}/c/${video.channelHandle}`,
    sensitive: video.sensitive,
    tags: video.tags,
    enclosure,
  };
}

function header(config: Config, owner: FeedOwner, i18n: I18n): Pick<Feed, "title" | "description" | "link" | "imageUrl" | "authorName" | "authorUrl"> {
  if (owner.kind === "instance") {
    return {
      title: i18n.t("feeds.instance.title", { instance: config.instanceName }),
      description: i18n.t("feeds.instance.description", { instance: config.instanceName }),
      link: `${config.publicUrl}/`,
      imageUrl: null,
      authorName: config.instanceName,
      authorUrl: `${config.publicUrl}/`,
    };
  }
  const link = `${config.publicUrl}/${owner.kind === "channel" ? "c" : "a"}/${owner.handle}`;
  return {
    title: i18n.t(owner.kind === "channel" ? "feeds.channel.title" : "feeds.account.title", { name: owner.displayName, instance: config.instanceName }),
    description: owner.description || i18n.t("feeds.owner.description", { name: owner.displayName }),
    link,
    imageUrl: owner.avatarPath ? config.publicUrl + staticUrl(owner.avatarPath) : null,
    authorName: owner.displayName,
    authorUrl: link,
  };
}

/** The feed's content: newest public videos of the owner, with enclosures for podcasts. */
export async function buildFeed(deps: FeedsDeps, owner: FeedOwner, options: { i18n: I18n; now: Date; format?: FeedFormat; podcast?: boolean }): Promise<Feed> {
  const videos = await listFeedVideos(deps.sql, {
    channelId: owner.kind === "channel" ? owner.id : undefined,
    ownerId: owner.kind === "account" ? owner.id : undefined,
    excludeLive: options.podcast,
    limit: FEED_SIZE,
  });
  const enclosures = options.podcast ? await Promise.all(videos.map((v) => enclosureFor(deps, v))) : videos.map(() => null);
  const items = videos.map((v, i) => feedItem(deps.config, v, enclosures[i]!));
  const top = header(deps.config, owner, options.i18n);
  return {
    ...top,
    // A podcast without its own picture shows the newest episode's.
    imageUrl: top.imageUrl ?? (options.podcast && items[0] ? items[0].imageUrl : null),
    selfUrl: feedUrl(deps.config.publicUrl, owner, options),
    language: options.i18n.locale,
    updated: items.reduce((newest, item) => (item.updated > newest ? item.updated : newest), items.length ? new Date(0) : options.now),
    items,
  };
}
