/** Browse pages: recent, trending, most liked, local, by category, by tag; each with htmx "load more". */
import { Elysia } from "elysia";
import type { contextPlugin } from "../http/context.ts";
import type { PageContext } from "../../views/context.ts";
import { BrowsePage, browsePath } from "../../views/pages/browse.tsx";
import { VideoGrid } from "../../views/components/video-card.tsx";
import { toCardView } from "../videos/cards.ts";
import type { UserRow } from "../accounts/queries.ts";
import type { Db as Sql } from "../db/client.ts";
import { parseStart } from "./paging.ts";
import { parseBrowseKind, parseCategory, parseTag, type BrowseListing } from "./listings.ts";
import { cachedBrowseListing } from "./service.ts";
import type { MicroCache } from "../http/micro-cache.ts";
import type { VisitorPages } from "../http/visitor-pages.ts";

interface BrowseRequest {
  readonly deps: { readonly sql: Sql; readonly listings: MicroCache<unknown>; readonly visitorPages: VisitorPages };
  readonly user: UserRow | null;
  readonly page: PageContext;
  readonly query: Record<string, string | undefined>;
  readonly request: Request;
}

async function renderListing(listing: BrowseListing, { deps, user, page, query, request }: BrowseRequest) {
  const start = parseStart(query.start);
  const fragment = request.headers.get("hx-request") === "true";
  return deps.visitorPages.render(page, `browse:${fragment}`, (page) => listingPage(listing, start, fragment, { deps, user, page }));
}

async function listingPage(listing: BrowseListing, start: number, fragment: boolean, { deps, user, page }: Omit<BrowseRequest, "query" | "request">) {
  const { videos, next } = await cachedBrowseListing(deps, listing, start, user);
  const cards = videos.map((v) => toCardView(v));
  const moreUrl = next === null ? null : `${browsePath(listing)}?start=${next}`;
  // htmx's "load more" wants only the next cards and button, not a whole page.
  if (fragment) return <VideoGrid videos={cards} page={page} moreUrl={moreUrl} />;
  return <BrowsePage page={page} listing={listing} videos={cards} moreUrl={moreUrl} />;
}

export function browseRoutes(context: ReturnType<typeof contextPlugin>) {
  // Handlers destructure what they use: Elysia reads their parameters to decide what to parse (the query string).
  return new Elysia({ name: "browse" })
    .use(context)
    .get("/browse", ({ redirect }) => redirect("/browse/recent", 302))
    .get("/browse/category/:id", ({ deps, user, page, query, request, params }) =>
      renderListing(parseCategory(params.id), { deps, user, page, query, request }),
    )
    .get("/browse/tag/:tag", ({ deps, user, page, query, request, params }) => renderListing(parseTag(params.tag), { deps, user, page, query, request }))
    .get("/browse/:kind", ({ deps, user, page, query, request, params }) =>
      renderListing(parseBrowseKind(params.kind), { deps, user, page, query, request }),
    );
}
