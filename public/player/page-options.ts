/**
 * What the page's URL asks of the player. Everywhere: `?start=` (shared links that start at a moment).
 * On the embed page only: `autoplay`, `muted`, `loop`, and PeerTube's embed API when a parent page frames it.
 */
import { startEmbedApi } from "./embed-api.ts";
import { readEmbedOptions } from "./page-params.ts";
import { PLAYER_OPTIONS, type QualityControl } from "./ui.ts";
import type { VjsPlayer } from "./videojs.ts";

/**
 * Seeks to `seconds` as soon as the media's duration is known (metadata usually loads before the first
 * play, so playback simply begins there); a start past the end is ignored.
 */
export function startAt(player: VjsPlayer, seconds: number): void {
  let done = false;
  const seek = () => {
    const duration = player.duration();
    if (done || !duration) return;
    done = true;
    if (seconds < duration) player.currentTime(seconds);
  };
  player.one("loadedmetadata", seek);
  player.one("play", seek);
}

/** Browsers refuse autoplay with sound without a gesture, but allow it muted: try both, like PeerTube. */
function autoplay(player: VjsPlayer): void {
  player.ready(() => {
    player.play()?.catch(() => {
      player.muted(true);
      return player.play()?.catch(() => {});
    });
  });
}

/** Applies the URL's options; on the embed page (body[data-embed]) inside a frame, answers the embed API. */
export function applyPageOptions(player: VjsPlayer, quality: QualityControl): void {
  const options = readEmbedOptions(location.search);
  if (options.start !== null) startAt(player, options.start);
  if (document.body.dataset.embed === undefined) return;
  if (options.muted) player.muted(true);
  if (options.loop) player.loop(true);
  if (options.autoplay) autoplay(player);
  if (window.parent !== window) {
    startEmbedApi({ win: window as unknown as Parameters<typeof startEmbedApi>[0]["win"], scope: options.scope, player, quality, playbackRates: PLAYER_OPTIONS.playbackRates });
  }
}
