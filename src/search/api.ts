/** PeerTube's search API: `/api/v1/search/videos` and `/api/v1/search/video-channels`, shaped like its lists. */
import { Elysia } from "elysia";
import type { contextPlugin } from "../http/context.ts";
import { optionalApiUser } from "../api/bearer.ts";
import { channelJson } from "../api/shapes.ts";
import { videoListItemJson } from "../videos/shapes.ts";
import { parseApiSearch } from "./filters.ts";
import { apiSearchChannels, apiSearchVideos } from "./service.ts";

/** Mounted by searchRoutes. */
export function searchApiRoutes(context: ReturnType<typeof contextPlugin>) {
  return new Elysia({ name: "search-api", prefix: "/api/v1/search" })
    .use(context)
    .get("/videos", async ({ deps, request, user, query }) => {
      const params = parseApiSearch(query);
      const viewer = await optionalApiUser(deps.sql, request, user);
      const { total, videos } = await apiSearchVideos(deps, params, viewer);
      return { total, data: videos.map((v) => videoListItemJson(deps.config, v)) };
    })
    .get("/video-channels", async ({ deps, query }) => {
      const { total, channels } = await apiSearchChannels(deps, parseApiSearch(query));
      return { total, data: channels.map((c) => channelJson(deps.config, c)) };
    });
}
