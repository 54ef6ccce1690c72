/**
 * The embed page (/videos/embed/:id): only the player, for iframes on other sites. `data-embed` on <body>
 * tells the player bundle to honour the embed's URL options and answer PeerTube's embed API.
 */
import type { PageContext } from "../context.ts";
import { LivePlayerBox, type LiveWatchView } from "../components/live.tsx";
import { Player, type WatchView } from "./watch.tsx";

/** A waiting live's embed looks again this often: an embed has no event stream to learn that the stream began. */
const WAITING_REFRESH_SECONDS = 10;

/**
 * The player alone, filling the frame; P2P only for viewers who already agreed to it. A live off air shows its
 * waiting or ended box instead, and a waiting one reloads itself until the stream begins.
 */
export function EmbedPage({ page, video, p2p, live }: { page: PageContext; video: WatchView; p2p: boolean; live?: LiveWatchView }) {
  const offAir = live !== undefined && live.state !== "live";
  return (
    <>
      {"<!doctype html>"}
      <html lang={page.locale}>
        <head>
          <meta charset="utf-8" />
          <meta name="viewport" content="width=device-width, initial-scale=1" />
          <meta name="robots" content="noindex" />
          <title safe>{video.name}</title>
          {offAir && live.state === "waiting" ? <meta http-equiv="refresh" content={String(WAITING_REFRESH_SECONDS)} /> : ""}
          <link rel="stylesheet" href={page.assets.css} />
          <link rel="stylesheet" href={page.assets.playerCss} />
          <script src={p2p ? page.assets.playerP2p : page.assets.playerHttp} defer></script>
        </head>
        <body class="embed" data-embed="1">
          {offAir ? <LivePlayerBox page={page} live={live} player={video} /> : <Player video={video} page={page} />}
        </body>
      </html>
    </>
  );
}
