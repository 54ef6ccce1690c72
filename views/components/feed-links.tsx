/** <link rel="alternate"> tags so browsers and feed readers find a page's RSS, Atom and podcast feeds. */
import type { PageContext } from "../context.ts";

export interface FeedLinksProps {
  readonly page: PageContext;
  /** Whose feeds: the whole instance, a channel or an account (by handle). */
  readonly owner: { readonly kind: "instance" } | { readonly kind: "channel" | "account"; readonly handle: string };
  /** The title readers show for the feed. */
  readonly name: string;
}

/** RSS and Atom links for any owner, plus the podcast feed for a channel. */
export function FeedLinks({ page, owner, name }: FeedLinksProps) {
  const query =
    owner.kind === "channel" ? `?videoChannelName=${encodeURIComponent(owner.handle)}` : owner.kind === "account" ? `?accountName=${encodeURIComponent(owner.handle)}` : "";
  const atomQuery = query ? `${query}&format=atom` : "?format=atom";
  return (
    <>
      <link rel="alternate" type="application/rss+xml" title={page.t("feeds.discovery.rss", { name })} href={`/feeds/videos.xml${query}`} />
      <link rel="alternate" type="application/atom+xml" title={page.t("feeds.discovery.atom", { name })} href={`/feeds/videos.xml${atomQuery}`} />
      {owner.kind === "channel" ? (
        <link rel="alternate" type="application/rss+xml" title={page.t("feeds.discovery.podcast", { name })} href={`/feeds/podcast/videos.xml${query}`} />
      ) : (
        ""
      )}
    </>
  );
}
