/** A playlist played in order: the player for the current item, and the list beside it (below it on phones). */
import type { PageContext } from "../context.ts";
import { Layout } from "../layout.tsx";
import { Csrf } from "../components/form.tsx";
import { P2PNotice } from "../components/p2p-notice.tsx";
import { formatDuration } from "../format.ts";
import { renderMarkdown } from "../markdown.ts";
import { Player, type WatchView } from "./watch.tsx";
import { privacyText } from "./playlists.tsx";

export interface PlaylistHeaderView {
  readonly shortId: string;
  readonly name: string;
  readonly description: string;
  readonly privacy: 1 | 2 | 3;
  readonly isWatchLater: boolean;
  readonly videosLength: number;
  readonly ownerHandle: string;
  readonly ownerDisplayName: string;
  readonly channelHandle: string | null;
  readonly channelDisplayName: string | null;
}

/** An element as the list shows it; an unavailable one carries nothing of its video but its place. */
export type PlaylistItemView =
  | {
      readonly available: true;
      readonly elementId: number;
      readonly position: number;
      readonly shortId: string;
      readonly name: string;
      readonly duration: number;
      readonly thumbnailUrl: string | null;
      readonly channelDisplayName: string;
      readonly blurred: boolean;
      /** Visible to this viewer but not playable yet (still processing): skipped like an unavailable one. */
      readonly playable: boolean;
    }
  | { readonly available: false; readonly elementId: number; readonly position: number };

export interface PlaylistItemsProps {
  readonly page: PageContext;
  readonly playlistShortId: string;
  readonly items: readonly PlaylistItemView[];
  /** Position of the item playing, if any. */
  readonly current: number | null;
  readonly isOwner: boolean;
  /** Where to go when the current video ends (the next playable item), if anywhere. */
  readonly nextUrl: string | null;
}

/** The ordered list; also the fragment htmx swaps in after a move or a removal. */
export function PlaylistItems({ page, playlistShortId, items, current, isOwner, nextUrl }: PlaylistItemsProps) {
  const t = page.t;
  const currentId = items.find((i) => i.position === current)?.elementId;
  return (
    <ol id="playlist-items" class="playlist-items" data-next={nextUrl ?? ""} data-current={currentId === undefined ? undefined : String(currentId)} data-playlists>
      {items.map((item) => {
        const isCurrent = item.position === current;
        const base = `/p/${playlistShortId}/elements/${item.elementId}`;
        return (
          <li
            class={isCurrent ? "playlist-item current" : "playlist-item"}
            data-position={String(item.position)}
            data-move-url={isOwner ? `${base}/move` : undefined}
            draggable={isOwner ? "true" : undefined}
          >
            <ItemLink page={page} playlistShortId={playlistShortId} item={item} isCurrent={isCurrent} />
            {isOwner ? (
              <span class="playlist-item-tools">
                {item.position > 1 ? <MoveForm page={page} url={`${base}/move`} to={item.position - 1} currentId={currentId} label={t("playlists.moveUp", { position: item.position })} symbol="↑" /> : ""}
                {item.position < items.length ? (
                  <MoveForm page={page} url={`${base}/move`} to={item.position + 1} currentId={currentId} label={t("playlists.moveDown", { position: item.position })} symbol="↓" />
                ) : (
                  ""
                )}
                <MoveForm page={page} url={`${base}/remove`} currentId={currentId} label={t("playlists.remove", { position: item.position })} symbol="✕" />
              </span>
            ) : (
              ""
            )}
          </li>
        );
      })}
    </ol>
  );
}

function ItemLink({ page, playlistShortId, item, isCurrent }: { page: PageContext; playlistShortId: string; item: PlaylistItemView; isCurrent: boolean }) {
  if (!item.available) {
    return (
      <span class="playlist-item-link unavailable">
        <span class="playlist-index" safe>{String(item.position)}</span>
        <span class="playlist-thumb thumb-empty" />
        <span class="muted" safe>
          {page.t("playlists.unavailable")}
        </span>
      </span>
    );
  }
  return (
    <a href={`/p/${playlistShortId}?i=${item.position}`} class="playlist-item-link" aria-current={isCurrent ? "true" : undefined}>
      <span class="playlist-index" safe>{isCurrent ? "▶" : String(item.position)}</span>
      <span class={item.blurred ? "playlist-thumb sensitive" : "playlist-thumb"}>
        {item.thumbnailUrl ? <img src={item.thumbnailUrl} alt="" width="120" height="68" loading="lazy" /> : <span class="thumb-empty" />}
        {item.duration > 0 ? <span class="duration" safe>{formatDuration(item.duration)}</span> : ""}
      </span>
      <span class="playlist-item-text">
        <span class="playlist-item-name" safe>
          {item.name}
        </span>
        <span class="muted" safe>
          {item.playable ? item.channelDisplayName : `${item.channelDisplayName} · ${page.t("playlists.processing")}`}
        </span>
      </span>
    </a>
  );
}

function MoveForm({ page, url, to, currentId, label, symbol }: { page: PageContext; url: string; to?: number; currentId?: number; label: string; symbol: string }) {
  return (
    <form method="post" action={url} class="inline" hx-post={url} hx-target="#playlist-items" hx-swap="outerHTML">
      <Csrf token={page.csrfToken} />
      {to === undefined ? "" : <input type="hidden" name="position" value={String(to)} />}
      {currentId === undefined ? "" : <input type="hidden" name="current" value={String(currentId)} />}
      <button class="icon-button" type="submit" aria-label={label} title={label} safe>
        {symbol}
      </button>
    </form>
  );
}

export interface PlaylistPageProps {
  readonly page: PageContext;
  readonly playlist: PlaylistHeaderView;
  readonly items: readonly PlaylistItemView[];
  /** The item playing and its player data; null when nothing in the list can be played. */
  readonly current: { readonly position: number; readonly video: WatchView } | null;
  readonly previousUrl: string | null;
  readonly nextUrl: string | null;
  readonly isOwner: boolean;
  readonly p2p: boolean;
  readonly p2pNotice: "ask" | "info" | null;
}

export function PlaylistPage({ page, playlist, items, current, previousUrl, nextUrl, isOwner, p2p, p2pNotice }: PlaylistPageProps) {
  const t = page.t;
  const video = current?.video;
  const head = (
    <>
      <link rel="stylesheet" href={page.assets.playerCss} />
      {playlist.privacy !== 1 ? <meta name="robots" content="noindex" /> : ""}
    </>
  );
  const scripts = video ? [p2p ? page.assets.playerP2p : page.assets.playerHttp] : [];
  return (
    <Layout page={page} title={playlist.name} description={playlist.description.slice(0, 200)} head={head} scripts={scripts}>
      <div class="playlist-page">
        <section class="playlist-main">
          {video ? (
            <Player video={video} />
          ) : (
            <div class="player-box playlist-idle">
              <p safe>{items.length ? t("playlists.nothingPlayable") : t("playlists.emptyPlaylist")}</p>
            </div>
          )}
          {video && p2pNotice ? <P2PNotice kind={p2pNotice} page={page} /> : ""}
          {video ? (
            <div class="playlist-now">
              <h2 class="watch-title">
                <a href={`/w/${video.shortId}`} safe>
                  {video.name}
                </a>
              </h2>
              <p class="muted">
                <a href={`/c/${video.channelHandle}`} safe>
                  {video.channelDisplayName}
                </a>
              </p>
            </div>
          ) : (
            ""
          )}
        </section>
        <aside class="playlist-panel" aria-labelledby="playlist-name">
          <h1 id="playlist-name" safe>
            {playlist.name}
          </h1>
          <p class="muted playlist-meta" safe>
            {[
              t("playlists.by", { name: playlist.channelDisplayName ?? playlist.ownerDisplayName }),
              privacyText(page, playlist.privacy),
              current ? t("playlists.position", { position: current.position, count: items.length }) : t("playlists.count", { count: items.length }),
            ].join(" · ")}
          </p>
          {playlist.description ? <div class="description">{renderMarkdown(playlist.description) as "safe"}</div> : ""}
          <div class="playlist-controls">
            {previousUrl ? (
              <a class="button" href={previousUrl} safe>
                {t("playlists.previous")}
              </a>
            ) : (
              ""
            )}
            {nextUrl ? (
              <a class="button" href={nextUrl} safe>
                {t("playlists.next")}
              </a>
            ) : (
              ""
            )}
            <label class="playlist-autoplay">
              <input type="checkbox" id="playlist-autoplay" checked />
              <span safe>{t("playlists.autoplay")}</span>
            </label>
            {isOwner && !playlist.isWatchLater ? (
              <a class="button" href={`/p/${playlist.shortId}/edit`} safe>
                {t("playlists.edit")}
              </a>
            ) : (
              ""
            )}
          </div>
          {isOwner && items.length > 1 ? (
            <p class="muted hint" safe>
              {t("playlists.reorderHint")}
            </p>
          ) : (
            ""
          )}
          <PlaylistItems page={page} playlistShortId={playlist.shortId} items={items} current={current?.position ?? null} isOwner={isOwner} nextUrl={nextUrl} />
        </aside>
      </div>
    </Layout>
  );
}
