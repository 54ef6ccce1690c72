/** Browse pages: one listing (recent, trending, most liked, local, a category or a tag) under a small nav. */
import type { PageContext } from "../context.ts";
import type { MessageKey } from "../../src/i18n/i18n.ts";
import { Layout } from "../layout.tsx";
import { VideoGrid, type VideoCardView } from "../components/video-card.tsx";
import { BROWSE_KINDS, type BrowseListing } from "../../src/browse/listings.ts";
import { CATEGORIES } from "../../src/videos/metadata.ts";

/** The page's path for a listing, as the nav links and "load more" use it. */
export function browsePath(listing: BrowseListing): string {
  if (listing.kind === "category") return `/browse/category/${listing.id}`;
  if (listing.kind === "tag") return `/browse/tag/${encodeURIComponent(listing.tag)}`;
  return `/browse/${listing.kind}`;
}

/** The catalog name of a category, such as "Gaming" or 「ゲーム」. */
export function categoryName(page: PageContext, id: number): string {
  return page.t(`browse.category.${id}` as MessageKey);
}

function browseTitle(page: PageContext, listing: BrowseListing): string {
  if (listing.kind === "category") return categoryName(page, listing.id);
  if (listing.kind === "tag") return page.t("browse.tagTitle", { tag: listing.tag });
  return page.t(`browse.${listing.kind}` as MessageKey);
}

export interface BrowsePageProps {
  readonly page: PageContext;
  readonly listing: BrowseListing;
  readonly videos: readonly VideoCardView[];
  readonly moreUrl: string | null;
}

export function BrowsePage({ page, listing, videos, moreUrl }: BrowsePageProps) {
  const title = browseTitle(page, listing);
  return (
    <Layout page={page} title={title}>
      {/* One string child: the layout looks for x-data in it to decide whether to load Alpine. */}
      <>
        <BrowseNav page={page} listing={listing} />
        <h1 safe>{title}</h1>
        {listing.kind === "trending" ? (
          <p class="muted" safe>
            {page.t("browse.trendingHint")}
          </p>
        ) : (
          ""
        )}
        {videos.length === 0 ? (
          <p class="empty muted" safe>
            {page.t("browse.empty")}
          </p>
        ) : (
          <VideoGrid videos={videos} page={page} moreUrl={moreUrl} />
        )}
      </>
    </Layout>
  );
}

function NavLink({ href, label, current }: { href: string; label: string; current: boolean }) {
  return (
    <li>
      <a href={href} class="browse-link" aria-current={current ? "page" : undefined} safe>
        {label}
      </a>
    </li>
  );
}

/** The browse kinds always shown; the categories folded away unless one of them is open. */
function BrowseNav({ page, listing }: { page: PageContext; listing: BrowseListing }) {
  const here = browsePath(listing);
  const ids = Object.keys(CATEGORIES).map(Number);
  return (
    <nav class="browse-nav" aria-label={page.t("browse.nav")}>
      <ul class="browse-links">
        {BROWSE_KINDS.map((kind) => (
          <NavLink href={`/browse/${kind}`} label={page.t(`browse.${kind}`)} current={here === `/browse/${kind}`} />
        ))}
      </ul>
      <details class="browse-categories" open={listing.kind === "category"}>
        <summary safe>{page.t("browse.categories")}</summary>
        <ul class="browse-links">
          {ids.map((id) => (
            <NavLink href={`/browse/category/${id}`} label={categoryName(page, id)} current={here === `/browse/category/${id}`} />
          ))}
        </ul>
      </details>
    </nav>
  );
}
