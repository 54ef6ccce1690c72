/** The search page behind the header's box: public videos and channels whose names contain every word. */
import { Elysia } from "elysia";
import type { contextPlugin } from "../http/context.ts";
import { SearchPage } from "../../views/pages/search.tsx";
import { toChannelView } from "../channels/service.ts";
import { toCardView } from "../videos/cards.ts";
import { likePatterns, loadChannels, loadVideos, searchChannelHandles, searchVideoIds } from "./queries.ts";

const MAX_RESULTS = 30;

export function searchRoutes(context: ReturnType<typeof contextPlugin>) {
  return new Elysia({ name: "search" }).use(context).get("/search", async ({ deps, page, query }) => {
    const text = String(query.q ?? "").trim().slice(0, 200);
    const patterns = likePatterns(text);
    const [videoIds, handles] = await Promise.all([
      searchVideoIds(deps.sql, patterns, MAX_RESULTS),
      searchChannelHandles(deps.sql, patterns, MAX_RESULTS),
    ]);
    const [videos, channels] = await Promise.all([loadVideos(deps.sql, videoIds), loadChannels(deps.sql, handles)]);
    return <SearchPage page={page} query={text} videos={videos.map((v) => toCardView(v))} channels={channels.map(toChannelView)} />;
  });
}
