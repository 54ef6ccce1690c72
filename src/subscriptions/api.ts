/** PeerTube's REST endpoints for a user's subscriptions (`/api/v1/users/me/subscriptions...`). */
import { Elysia } from "elysia";
import type { contextPlugin } from "../http/context.ts";
import { requireApiUser } from "../api/bearer.ts";
import { channelJson } from "../api/shapes.ts";
import { videoListItemJson } from "../videos/shapes.ts";
import { listSubscribedChannels } from "./queries.ts";
import { requireLocalChannelUri, subscribe, subscriptionFeed, subscriptionsExist, unsubscribe } from "./service.ts";

const VIDEO_SORTS = ["-publishedAt", "publishedAt", "-views"] as const;
/** A URL of `exist` asks about at most this many channels. */
const MAX_EXIST_URIS = 100;

function paging(query: Record<string, string | undefined>, defaultCount = 15) {
  const start = Math.max(0, Math.min(Number(query.start) || 0, 100_000));
  const count = Math.max(1, Math.min(Number(query.count) || defaultCount, 100));
  return { start, count };
}

/** A path parameter with any percent-escapes undone; a malformed escape is left as sent (and then refused as a uri). */
function decodedParam(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

/** Mounted by subscriptionRoutes: list, add, check and remove subscriptions, and their videos. */
export function subscriptionApiRoutes(context: ReturnType<typeof contextPlugin>) {
  return new Elysia({ name: "subscriptions-api", prefix: "/api/v1/users/me/subscriptions" })
    .use(context)
    .get("/", async ({ deps, request, user, page, query }) => {
      const me = await requireApiUser(deps.sql, request, { user, csrfToken: page.csrfToken });
      const oldestFirst = query.sort === "createdAt";
      const { total, data } = await listSubscribedChannels(deps.sql, me.actorId, { ...paging(query), oldestFirst });
      return { total, data: data.map((c) => ({ ...channelJson(deps.config, c), followersCount: c.subscribers })) };
    })
    .post("/", async ({ deps, request, user, page, body, set }) => {
      const me = await requireApiUser(deps.sql, request, { user, csrfToken: page.csrfToken });
      const handle = requireLocalChannelUri((body as Record<string, unknown> | undefined)?.uri, deps.config.publicHost);
      await subscribe(deps.sql, me, handle);
      set.status = 204;
      return "";
    })
    .get("/videos", async ({ deps, request, user, page, query }) => {
      const me = await requireApiUser(deps.sql, request, { user, csrfToken: page.csrfToken });
      const wanted = query.sort === "-createdAt" ? "-publishedAt" : query.sort === "createdAt" ? "publishedAt" : query.sort;
      const sort = VIDEO_SORTS.find((s) => s === wanted) ?? "-publishedAt";
      const { total, data } = await subscriptionFeed(deps.sql, me, { ...paging(query), sort });
      return { total, data: data.map((v) => videoListItemJson(deps.config, v)) };
    })
    .get("/exist", async ({ deps, request, user, page }) => {
      const me = await requireApiUser(deps.sql, request, { user, csrfToken: page.csrfToken });
      // PeerTube clients repeat the parameter (uris=a&uris=b); a comma-separated list works too.
      const uris = new URL(request.url).searchParams
        .getAll("uris")
        .flatMap((u) => u.split(","))
        .map((u) => u.trim())
        .filter(Boolean)
        .slice(0, MAX_EXIST_URIS);
      return subscriptionsExist(deps.sql, me, uris, deps.config.publicHost);
    })
    .delete("/:uri", async ({ deps, request, user, page, params, set }) => {
      const me = await requireApiUser(deps.sql, request, { user, csrfToken: page.csrfToken });
      const handle = requireLocalChannelUri(decodedParam(params.uri), deps.config.publicHost);
      await unsubscribe(deps.sql, me, handle, true);
      set.status = 204;
      return "";
    });
}
