/** The home page (newest public videos, paginated with htmx) and the about page. */
import { Elysia } from "elysia";
import type { contextPlugin } from "../http/context.ts";
import { HomePage, AboutPage } from "../../views/pages/home.tsx";
import { VideoGrid } from "../../views/components/video-card.tsx";
import { listPublicVideos } from "../videos/queries.ts";
import { toCardView } from "../videos/cards.ts";
import { VERSION } from "../version.ts";

export const HOME_PAGE_SIZE = 24;

export function homeRoutes(context: ReturnType<typeof contextPlugin>) {
  return new Elysia({ name: "home" })
    .use(context)
    .get("/", async ({ deps, page, query, request }) => {
      const start = Math.max(0, Math.min(Number(query.start) || 0, 100_000));
      const { total, data } = await listPublicVideos(deps.sql, { start, count: HOME_PAGE_SIZE });
      const next = start + data.length < total ? `/?start=${start + HOME_PAGE_SIZE}` : null;
      const videos = data.map((v) => toCardView(v));
      // htmx's "load more" wants only the next cards and button, not a whole page.
      if (request.headers.get("hx-request") === "true") return <VideoGrid videos={videos} now={page.now} moreUrl={next} />;
      return <HomePage page={page} videos={videos} moreUrl={next} />;
    })
    .get("/about", ({ deps, page }) => <AboutPage page={page} version={VERSION} signup={deps.config.signup} />);
}
