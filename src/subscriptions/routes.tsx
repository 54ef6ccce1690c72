/** Subscriptions to channels and the Subscriptions page. */
import { Elysia } from "elysia";
import type { contextPlugin } from "../http/context.ts";
import { requireUser } from "../http/context.ts";
import { field, safeNext } from "../http/forms.ts";
import { staticUrl } from "../http/urls.ts";
import { toCardView } from "../videos/cards.ts";
import { SubscribeButton } from "../../views/components/subscribe-button.tsx";
import { VideoGrid } from "../../views/components/video-card.tsx";
import { SubscriptionsPage } from "../../views/pages/subscriptions.tsx";
import { subscriptionApiRoutes } from "./api.ts";
import { listSubscribedChannels } from "./queries.ts";
import { subscribe, subscriptionFeed, unsubscribe } from "./service.ts";

export const FEED_PAGE_SIZE = 24;
/** Channels listed beside the feed; the API pages through all of them. */
const CHANNELS_LISTED = 100;

/** The subscribe and unsubscribe buttons' routes, the Subscriptions page and the subscriptions API. */
export function subscriptionRoutes(context: ReturnType<typeof contextPlugin>) {
  return new Elysia({ name: "subscriptions" })
    .use(context)
    .use(subscriptionApiRoutes(context))
    .post("/c/:handle/subscribe", async ({ deps, user, params, page, body, request, redirect }) => {
      const { channel, state } = await subscribe(deps.sql, requireUser(user), params.handle);
      if (request.headers.get("hx-request") !== "true") return redirect(safeNext(field(body, "next"), `/c/${channel.handle}`), 303);
      return <SubscribeButton page={pageFor(page, body)} channelHandle={channel.handle} subscribed={state.subscribed} subscribers={state.subscribers} />;
    })
    .post("/c/:handle/unsubscribe", async ({ deps, user, params, page, body, request, redirect }) => {
      const { channel, state } = await unsubscribe(deps.sql, requireUser(user), params.handle);
      if (request.headers.get("hx-request") !== "true") return redirect(safeNext(field(body, "next"), `/c/${channel.handle}`), 303);
      return <SubscribeButton page={pageFor(page, body)} channelHandle={channel.handle} subscribed={state.subscribed} subscribers={state.subscribers} />;
    })
    .get("/my/subscriptions", async ({ deps, user, page, query, request }) => {
      const me = requireUser(user);
      const start = Math.max(0, Math.min(Number(query.start) || 0, 100_000));
      const feed = await subscriptionFeed(deps.sql, me, { start, count: FEED_PAGE_SIZE });
      const next = start + FEED_PAGE_SIZE < feed.total ? `/my/subscriptions?start=${start + FEED_PAGE_SIZE}` : null;
      const videos = feed.data.map((v) => toCardView(v));
      // "Load more" asks for the next cards only.
      if (request.headers.get("hx-request") === "true") return <VideoGrid videos={videos} page={page} moreUrl={next} />;
      const channels = await listSubscribedChannels(deps.sql, me.actorId, { start: 0, count: CHANNELS_LISTED });
      const views = channels.data
        .map((c) => ({ handle: c.handle, displayName: c.displayName, avatarUrl: staticUrl(c.avatarPath), subscribers: c.subscribers }))
        .sort((a, b) => a.displayName.localeCompare(b.displayName, page.locale));
      return <SubscriptionsPage page={page} videos={videos} moreUrl={next} channels={views} moreChannels={channels.total - channels.data.length} />;
    });
}

/**
 * The fragment's form keeps sending people back to the page it sits on, not to this POST's path: the
 * `next` it was rendered with is carried over.
 */
function pageFor<P extends { path: string }>(page: P, body: unknown): P {
  return { ...page, path: safeNext(field(body, "next"), page.path) };
}
