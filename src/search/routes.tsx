/** The search results page, the header box's suggestions, and PeerTube's search API. */
import { Elysia } from "elysia";
import type { contextPlugin } from "../http/context.ts";
import { SearchPage } from "../../views/pages/search.tsx";
import { SearchSuggestions, type SuggestionView } from "../../views/components/search-box.tsx";
import { VideoGrid } from "../../views/components/video-card.tsx";
import { toChannelView } from "../channels/service.ts";
import { toCardView } from "../videos/cards.ts";
import { hasFilters, parseSearchForm, searchFormUrl } from "./filters.ts";
import { classifySearch } from "./query-text.ts";
import { searchChannels, searchResultsPage, searchVideos } from "./service.ts";
import { searchApiRoutes } from "./api.ts";
import { preferencesKey } from "../videos/listing.ts";
import { followState } from "../federation/queries.ts";

const PAGE_SIZE = 24;
/** Channels are shown above the first page of videos only, a few of them. */
const CHANNELS_SHOWN = 6;
const SUGGESTED_VIDEOS = 5;
const SUGGESTED_CHANNELS = 3;

export function searchRoutes(context: ReturnType<typeof contextPlugin>) {
  return new Elysia({ name: "search" })
    .use(context)
    .get("/search", async ({ deps, user, page, query, request, redirect }) => {
      const form = parseSearchForm(query);
      // Popular searches are asked by many visitors at once: the same filters and preferences share one result per TTL.
      const key = `search:${JSON.stringify(form)}:${preferencesKey(user)}`;
      const found = (await deps.listings.get(key, () =>
        searchResultsPage(deps, form, user, { now: page.now, pageSize: PAGE_SIZE, channels: CHANNELS_SHOWN }),
      )) as Awaited<ReturnType<typeof searchResultsPage>>;
      if (found.redirect) return redirect(found.redirect, 303);
      const fragment = request.headers.get("hx-request") === "true";
      // The viewer's follow of a remote actor found by handle is theirs alone, so it is read outside the shared result.
      const remote = found.remoteActor;
      const follow = remote && user ? ((await followState(deps.sql, user.actorId, remote.actorId)) ?? "none") : "none";
      return deps.visitorPages.render(page, `search:${fragment}`, (page) => {
        const { total, videos, onlySimilar } = found.videos;
        const moreUrl = form.start + videos.length < total ? searchFormUrl(form, form.start + PAGE_SIZE) : null;
        const cards = videos.map((v) => toCardView(v));
        // htmx's "load more" wants only the next cards and button, not a whole page.
        if (fragment) return <VideoGrid videos={cards} page={page} moreUrl={moreUrl} />;
        return (
          <SearchPage
            page={page}
            form={form}
            videos={cards}
            channels={found.channels.map(toChannelView)}
            total={total}
            moreUrl={moreUrl}
            remote={found.remoteUnavailable}
            remoteActor={remote ? { ...remote, follow } : undefined}
            onlySimilar={onlySimilar}
            filtered={hasFilters(form)}
          />
        );
      });
    })
    .get("/search/suggest", async ({ deps, user, page, query }) => {
      const text = classifySearch(query.q);
      if (text.kind !== "words") return "";
      const [videos, channels] = await Promise.all([
        searchVideos(deps.sql, { text, filters: {}, prefs: user, sort: "relevance", start: 0, count: SUGGESTED_VIDEOS }),
        searchChannels(deps.sql, text, 0, SUGGESTED_CHANNELS),
      ]);
      const suggestions: SuggestionView[] = [
        ...videos.videos.map((v) => ({ href: `/w/${v.shortId}`, label: v.name, kind: "video" as const })),
        ...channels.channels.map((c) => ({ href: `/c/${c.handle}`, label: c.displayName, kind: "channel" as const })),
      ];
      return <SearchSuggestions page={page} suggestions={suggestions} />;
    })
    .use(searchApiRoutes(context));
}
