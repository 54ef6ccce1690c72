/** RSS, Atom and podcast feeds at PeerTube's URLs: /feeds/videos.xml and /feeds/podcast/videos.xml. */
import { Elysia } from "elysia";
import type { contextPlugin } from "../http/context.ts";
import { HttpError } from "../http/errors.ts";
import { renderAtom, renderPodcast, renderRss, podcastGuid } from "./render.ts";
import { buildFeed, feedUrl, parseFeedFormat, parseFeedSelector, resolveFeedOwner } from "./service.ts";

const CONTENT_TYPES = {
  rss: "application/rss+xml; charset=utf-8",
  atom: "application/atom+xml; charset=utf-8",
} as const;

/** Feed readers poll; five minutes is fresh enough for new videos and spares the database. */
const CACHE_CONTROL = "public, max-age=300";

/**
 * The feed with validators: an ETag of the body (so a reader polling an unchanged feed gets 304 and no body)
 * and Last-Modified from the newest entry.
 */
function feedResponse(request: Request, body: string, contentType: string, lastModified: Date): Response {
  const etag = `"${Bun.hash(body).toString(36)}"`;
  const headers = {
    "content-type": contentType,
    "cache-control": CACHE_CONTROL,
    etag,
    "last-modified": lastModified.toUTCString(),
    // Titles follow the reader's language.
    vary: "Accept-Language",
  };
  const ifNoneMatch = request.headers.get("if-none-match");
  if (ifNoneMatch && ifNoneMatch.split(",").some((tag) => tag.trim().replace(/^W\//, "") === etag)) {
    return new Response(null, { status: 304, headers });
  }
  return new Response(body, { headers });
}

/** GET routes of the instance, channel, account and podcast feeds. */
export function feedRoutes(context: ReturnType<typeof contextPlugin>) {
  return new Elysia({ name: "feeds" })
    .use(context)
    .get("/feeds/videos.xml", async ({ deps, query, page, request }) => {
      const format = parseFeedFormat(query, page.i18n);
      const owner = await resolveFeedOwner(deps, parseFeedSelector(query, page.i18n), page.i18n);
      const feed = await buildFeed(deps, owner, { i18n: page.i18n, now: page.now, format });
      const body = format === "atom" ? renderAtom(feed) : renderRss(feed);
      return feedResponse(request, body, CONTENT_TYPES[format], feed.updated);
    })
    .get("/feeds/podcast/videos.xml", async ({ deps, query, page, request }) => {
      const selector = parseFeedSelector(query, page.i18n);
      if (selector.kind !== "channel") throw new HttpError(400, page.t("feeds.error.podcastChannel"));
      const owner = await resolveFeedOwner(deps, selector, page.i18n);
      const feed = await buildFeed(deps, owner, { i18n: page.i18n, now: page.now, podcast: true });
      const guid = podcastGuid(feedUrl(deps.config.publicUrl, owner, { podcast: true }));
      const body = renderPodcast(feed, { podcastGuid: guid, explicit: feed.items.some((item) => item.sensitive) });
      return feedResponse(request, body, CONTENT_TYPES.rss, feed.updated);
    });
}
