/**
 * RSS 2.0, Atom 1.0 and podcast RSS documents from a plain feed description. Pure: values in, XML text out.
 * Namespaces: iTunes (https://help.apple.com/itc/podcasts_connect/#/itcb54353390) and Podcasting 2.0
 * (https://podcastindex.org/namespace/1.0) for podcasts, Media RSS for thumbnails.
 */
import { createHash } from "node:crypto";
import { el, xmlDocument, type Xml } from "./xml.ts";

/** A file a podcast app downloads; `length` is 0 when unknown (an HLS playlist). */
export interface Enclosure {
  readonly url: string;
  readonly type: string;
  readonly length: number;
}

export interface FeedItem {
  readonly title: string;
  /** The watch page. */
  readonly link: string;
  /** The video's UUID: stable across renames and short-id changes. */
  readonly guid: string;
  /** Safe HTML (thumbnail and rendered description); escaped once more as XML text. */
  readonly contentHtml: string;
  readonly published: Date;
  readonly updated: Date;
  readonly durationSeconds: number;
  readonly thumbnailUrl: string;
  /** The larger preview image, for podcast apps. */
  readonly imageUrl: string;
  readonly authorName: string;
  readonly authorUrl: string;
  readonly sensitive: boolean;
  readonly tags: readonly string[];
  readonly enclosure: Enclosure | null;
}

export interface Feed {
  readonly title: string;
  readonly description: string;
  /** The HTML page the feed mirrors. */
  readonly link: string;
  /** This feed's own URL (rel="self"). */
  readonly selfUrl: string;
  readonly language: string;
  readonly updated: Date;
  readonly imageUrl: string | null;
  readonly authorName: string;
  readonly authorUrl: string;
  readonly items: readonly FeedItem[];
}

const NS = {
  atom: "http://www.w3.org/2005/Atom",
  media: "http://search.yahoo.com/mrss/",
  dc: "http://purl.org/dc/elements/1.1/",
  itunes: "http://www.itunes.com/dtds/podcast-1.0.dtd",
  podcast: "https://podcastindex.org/namespace/1.0",
} as const;

/** RFC 822 dates, as RSS 2.0 wants them ("Tue, 10 Jun 2003 04:00:00 GMT"). */
function rfc822(date: Date): string {
  return date.toUTCString();
}

function rssImage(feed: Feed): Xml | null {
  return feed.imageUrl ? el("image", null, el("url", null, feed.imageUrl), el("title", null, feed.title), el("link", null, feed.link)) : null;
}

function rssItem(item: FeedItem): Xml {
  return el(
    "item",
    null,
    el("title", null, item.title),
    el("link", null, item.link),
    el("guid", { isPermaLink: "false" }, item.guid),
    el("pubDate", null, rfc822(item.published)),
    el("dc:creator", null, item.authorName),
    el("description", null, item.contentHtml),
    item.tags.map((tag) => el("category", null, tag)),
    el("media:thumbnail", { url: item.thumbnailUrl }),
  );
}

/** What every RSS `<channel>` of ours starts with, plain or podcast. */
function rssChannelHead(feed: Feed) {
  return [
    el("title", null, feed.title),
    el("link", null, feed.link),
    el("description", null, feed.description),
    el("language", null, feed.language),
    el("lastBuildDate", null, rfc822(feed.updated)),
    el("generator", null, "Tubelet"),
    el("atom:link", { href: feed.selfUrl, rel: "self", type: "application/rss+xml" }),
    rssImage(feed),
  ];
}

/** RSS 2.0 of the newest videos. */
export function renderRss(feed: Feed): string {
  return xmlDocument(
    el(
      "rss",
      { version: "2.0", "xmlns:atom": NS.atom, "xmlns:media": NS.media, "xmlns:dc": NS.dc },
      el(
        "channel",
        null,
        rssChannelHead(feed),
        feed.items.map(rssItem),
      ),
    ),
  );
}

function atomEntry(item: FeedItem): Xml {
  return el(
    "entry",
    null,
    el("id", null, `urn:uuid:${item.guid}`),
    el("title", { type: "text" }, item.title),
    el("link", { rel: "alternate", type: "text/html", href: item.link }),
    el("published", null, item.published.toISOString()),
    el("updated", null, item.updated.toISOString()),
    el("author", null, el("name", null, item.authorName), el("uri", null, item.authorUrl)),
    el("content", { type: "html" }, item.contentHtml),
    item.tags.map((tag) => el("category", { term: tag })),
    el("media:thumbnail", { url: item.thumbnailUrl }),
  );
}

/** Atom 1.0 of the newest videos. */
export function renderAtom(feed: Feed): string {
  return xmlDocument(
    el(
      "feed",
      { xmlns: NS.atom, "xmlns:media": NS.media, "xml:lang": feed.language },
      el("id", null, feed.selfUrl),
      el("title", { type: "text" }, feed.title),
      el("subtitle", { type: "text" }, feed.description),
      el("updated", null, feed.updated.toISOString()),
      el("link", { rel: "self", type: "application/atom+xml", href: feed.selfUrl }),
      el("link", { rel: "alternate", type: "text/html", href: feed.link }),
      el("author", null, el("name", null, feed.authorName), el("uri", null, feed.authorUrl)),
      el("generator", null, "Tubelet"),
      feed.imageUrl ? el("logo", null, feed.imageUrl) : null,
      feed.items.map(atomEntry),
    ),
  );
}

const explicit = (sensitive: boolean) => (sensitive ? "true" : "false");

function podcastItem(item: FeedItem): Xml {
  return el(
    "item",
    null,
    el("title", null, item.title),
    el("link", null, item.link),
    el("guid", { isPermaLink: "false" }, item.guid),
    el("pubDate", null, rfc822(item.published)),
    el("description", null, item.contentHtml),
    item.enclosure ? el("enclosure", { url: item.enclosure.url, length: item.enclosure.length, type: item.enclosure.type }) : null,
    el("itunes:title", null, item.title),
    el("itunes:author", null, item.authorName),
    el("itunes:duration", null, Math.max(0, Math.round(item.durationSeconds))),
    el("itunes:image", { href: item.imageUrl }),
    el("itunes:explicit", null, explicit(item.sensitive)),
    el("itunes:episodeType", null, "full"),
  );
}

/** Podcast RSS of one channel: RSS 2.0 with enclosures, iTunes tags and the Podcasting 2.0 GUID. */
export function renderPodcast(feed: Feed, options: { podcastGuid: string; explicit: boolean }): string {
  return xmlDocument(
    el(
      "rss",
      { version: "2.0", "xmlns:atom": NS.atom, "xmlns:itunes": NS.itunes, "xmlns:podcast": NS.podcast },
      el(
        "channel",
        null,
        rssChannelHead(feed),
        el("itunes:author", null, feed.authorName),
        el("itunes:summary", null, feed.description),
        feed.imageUrl ? el("itunes:image", { href: feed.imageUrl }) : null,
        el("itunes:explicit", null, explicit(options.explicit)),
        el("itunes:type", null, "episodic"),
        el("podcast:guid", null, options.podcastGuid),
        el("podcast:medium", null, "video"),
        feed.items.map(podcastItem),
      ),
    ),
  );
}

/** The namespace UUID the Podcasting 2.0 spec fixes for podcast:guid. */
const PODCAST_NAMESPACE = "ead4c236-bf58-58c6-a2c6-a6b28d128cb6";

/**
 * podcast:guid: a UUIDv5 (RFC 4122, SHA-1) of the feed URL without its scheme and trailing slashes, in the
 * spec's namespace, so every app computes the same GUID for the same feed.
 */
export function podcastGuid(feedUrl: string): string {
  const name = feedUrl.replace(/^[a-z][a-z0-9+.-]*:\/\//i, "").replace(/\/+$/, "");
  const namespace = Buffer.from(PODCAST_NAMESPACE.replaceAll("-", ""), "hex");
  const hash = createHash("sha1").update(namespace).update(name, "utf8").digest();
  hash[6] = (hash[6]! & 0x0f) | 0x50;
  hash[8] = (hash[8]! & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
