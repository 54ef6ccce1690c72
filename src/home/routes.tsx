/** The home page. Videos arrive with the video-on-demand feature; until then it lists new channels. */
import { Elysia } from "elysia";
import type { contextPlugin } from "../http/context.ts";
import { HomePage } from "../../views/pages/home.tsx";
import { listNewestChannels } from "../channels/queries.ts";
import { toChannelView } from "../channels/service.ts";

export function homeRoutes(context: ReturnType<typeof contextPlugin>) {
  return new Elysia({ name: "home" }).use(context).get("/", async ({ deps, page }) => {
    const channels = await listNewestChannels(deps.sql, 12);
    return <HomePage page={page} channels={channels.map(toChannelView)} />;
  });
}
