/** Search results: channels first (few, and often what people look for), then videos. */
import type { PageContext } from "../context.ts";
import { Layout } from "../layout.tsx";
import { VideoGrid, type VideoCardView } from "../components/video-card.tsx";
import { ChannelList, type ChannelView } from "./channels.tsx";

export function SearchPage(p: { page: PageContext; query: string; videos: readonly VideoCardView[]; channels: readonly ChannelView[] }) {
  const nothing = p.videos.length === 0 && p.channels.length === 0;
  return (
    <Layout page={p.page} title={p.query ? `Search: ${p.query}` : "Search"}>
      <h1>
        {p.query ? (
          <>
            Results for “<span safe>{p.query}</span>”
          </>
        ) : (
          "Search"
        )}
      </h1>
      {!p.query ? <p class="muted">Type words from a title, a tag or a channel name in the search box.</p> : ""}
      {p.query && nothing ? <p class="muted">Nothing matches every word. Try fewer or different words.</p> : ""}
      {p.channels.length ? (
        <>
          <h2>Channels</h2>
          <ChannelList channels={p.channels} />
        </>
      ) : (
        ""
      )}
      {p.videos.length ? (
        <>
          <h2>Videos</h2>
          <VideoGrid videos={p.videos} now={p.page.now} />
        </>
      ) : (
        ""
      )}
    </Layout>
  );
}
