/**
 * The embed page (/videos/embed/:id): only the player, for iframes on other sites. `data-embed` on <body>
 * tells the player bundle to honour the embed's URL options and answer PeerTube's embed API.
 */
import type { PageContext } from "../context.ts";
import { Player, type WatchView } from "./watch.tsx";

/** The player alone, filling the frame; P2P only for viewers who already agreed to it. */
export function EmbedPage({ page, video, p2p }: { page: PageContext; video: WatchView; p2p: boolean }) {
  return (
    <>
      {"<!doctype html>"}
      <html lang={page.locale}>
        <head>
          <meta charset="utf-8" />
          <meta name="viewport" content="width=device-width, initial-scale=1" />
          <meta name="robots" content="noindex" />
          <title safe>{video.name}</title>
          <link rel="stylesheet" href={page.assets.css} />
          <link rel="stylesheet" href={page.assets.playerCss} />
          <script src={p2p ? page.assets.playerP2p : page.assets.playerHttp} defer></script>
        </head>
        <body class="embed" data-embed="1">
          <Player video={video} page={page} />
        </body>
      </html>
    </>
  );
}
