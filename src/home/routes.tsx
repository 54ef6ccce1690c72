/** The home page (a trending row, then the newest public videos, paginated with htmx) and the about page. */
import { Elysia } from "elysia";
import type { contextPlugin } from "../http/context.ts";
import { HomePage, AboutPage } from "../../views/pages/home.tsx";
import { VideoGrid } from "../../views/components/video-card.tsx";
import { toCardView } from "../videos/cards.ts";
import { parseStart } from "../browse/paging.ts";
import { cachedBrowseListing, createTrendingRow, type TrendingRow } from "../browse/service.ts";
import { preferencesKey } from "../videos/listing.ts";
import { VERSION } from "../version.ts";

export function homeRoutes(context: ReturnType<typeof contextPlugin>) {
  // Built on the first request, when the app's database handle is at hand; one per app.
  let trending: TrendingRow | null = null;
  return new Elysia({ name: "home" })
    .use(context)
    .get("/", async ({ deps, user, page, query, request }) => {
      const start = parseStart(query.start);
      const fragment = request.headers.get("hx-request") === "true";
      return deps.visitorPages.render(page, `home:${fragment}`, async (page) => {
      trending ??= createTrendingRow(deps.sql);
      // Two queries at most, side by side: the page of newest videos and, on the first page only, the trending row.
      const row = trending;
      const [{ videos, next }, hot] = await Promise.all([
        cachedBrowseListing(deps, { kind: "recent" }, start, user),
        start === 0 && !fragment ? (deps.listings.get(`trending-row:${preferencesKey(user)}`, () => row.videos(user)) as ReturnType<TrendingRow["videos"]>) : [],
      ]);
      const cards = videos.map((v) => toCardView(v));
      const moreUrl = next === null ? null : `/?start=${next}`;
      // htmx's "load more" wants only the next cards and button, not a whole page.
      if (fragment) return <VideoGrid videos={cards} page={page} moreUrl={moreUrl} />;
      return <HomePage page={page} videos={cards} moreUrl={moreUrl} trending={hot.map((v) => toCardView(v))} />;
      });
    })
    .get("/about", ({ deps, page }) => <AboutPage page={page} version={VERSION} signup={deps.config.signup} />);
}
