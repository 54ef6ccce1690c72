/** The browse listings, what each one lists, and how their URLs are read. Pure: no database. */
import { notFound } from "../http/errors.ts";
import { CATEGORIES, TAG_MAX } from "../videos/metadata.ts";
import type { ListingOrder, VideoFilters } from "./queries.ts";

export const BROWSE_KINDS = ["recent", "trending", "likes", "local"] as const;
export type BrowseKind = (typeof BROWSE_KINDS)[number];

export type BrowseListing =
  { readonly kind: BrowseKind } | { readonly kind: "category"; readonly id: number } | { readonly kind: "tag"; readonly tag: string };

/** `/browse/:kind`; an unknown kind is a 404 that names the ones that exist. */
export function parseBrowseKind(raw: string): BrowseListing {
  const kind = BROWSE_KINDS.find((k) => k === raw);
  if (!kind) throw notFound(`There is no “${raw.slice(0, 30)}” list; try ${BROWSE_KINDS.map((k) => `/browse/${k}`).join(", ")}.`);
  return { kind };
}

/** `/browse/category/:id`, with PeerTube's category numbers. */
export function parseCategory(raw: string): BrowseListing {
  const id = /^\d{1,3}$/.test(raw) ? Number(raw) : NaN;
  if (!CATEGORIES[id])
    throw notFound(`No category has the number “${raw.slice(0, 10)}”; categories are numbered 1 to ${Object.keys(CATEGORIES).length}.`);
  return { kind: "category", id };
}

/** `/browse/tag/:tag` (Elysia has decoded the parameter): tags are matched exactly as the uploader wrote them. */
export function parseTag(raw: string): BrowseListing {
  const tag = raw.trim();
  if (tag.length < 1 || tag.length > TAG_MAX) throw notFound(`A tag has 1 to ${TAG_MAX} characters.`);
  return { kind: "tag", tag };
}

/** The filters and order that make up a listing. */
export function listingQuery(listing: BrowseListing): { filters: VideoFilters; order: ListingOrder } {
  switch (listing.kind) {
    case "recent":
      return { filters: {}, order: "newest" };
    case "trending":
      return { filters: {}, order: "trending" };
    case "likes":
      return { filters: {}, order: "likes" };
    case "local":
      return { filters: { localOnly: true }, order: "newest" };
    case "category":
      return { filters: { categories: [listing.id] }, order: "newest" };
    case "tag":
      return { filters: { tags: [listing.tag] }, order: "newest" };
  }
}
