/**
 * Glass-to-glass latency of a live, read in the viewers' pages. The publisher starts at T0 (wall clock) and
 * sends stream time 0 then; the playlists date every segment (EXT-X-PROGRAM-DATE-TIME); so a viewer that plays
 * the frame dated D plays stream time D - S, where S is the date of stream time 0 in its rendition, and that
 * frame entered the publisher at T0 + (D - S). Latency = now - (T0 + D - S).
 *
 * D is hls.js's `playingDate` when the page exposes its hls.js instance as `window.tubeletHls` (not yet: the
 * player keeps it private). Until then it is derived the way hls.js derives it: on a live's first playlist load
 * hls.js places the first listed segment at media time 0 and anchors the timestamps of the first fragment it
 * loads to that timeline, so the frame at `currentTime` t is dated (date of the first segment of the first media
 * playlist the page loaded) + t. An init script records that playlist.
 */
import type { Viewer } from "../../test/helpers/netns.ts";
import { parseMediaPlaylist } from "./live-playlists.ts";

/** Runs before the page's scripts: keeps the first media playlist (one with segments) that the page loads. */
export const FIRST_PLAYLIST_RECORDER = `(() => {
  const probe = { first: null };
  window.tubeletLiveProbe = probe;
  const keep = (url, text) => {
    if (probe.first || typeof text !== "string" || !/\\.m3u8(\\?|$)/.test(url) || !text.includes("#EXTINF")) return;
    probe.first = { url, text, at: Date.now() };
  };
  const open = XMLHttpRequest.prototype.open;
  XMLHttpRequest.prototype.open = function (method, url, ...rest) {
    this.addEventListener("load", () => {
      if (this.responseType === "" || this.responseType === "text") keep(this.responseURL || String(url), this.responseText);
    });
    return open.call(this, method, url, ...rest);
  };
  const originalFetch = window.fetch;
  window.fetch = async function (...args) {
    const response = await originalFetch.apply(this, args);
    if (!probe.first && /\\.m3u8(\\?|$)/.test(response.url)) response.clone().text().then((text) => keep(response.url, text), () => {});
    return response;
  };
})();`;

/** What the page says at one instant. */
interface PageSample {
  readonly now: number;
  readonly currentTime: number;
  readonly paused: boolean;
  /** hls.js's playingDate in epoch ms, when the page exposes hls.js. */
  readonly hlsPlayingDate: number | null;
}

/** How a viewer's media time maps to dates: the first segment of the first media playlist its player loaded. */
export interface PlayheadAnchor {
  /** File name of that playlist (`720p.m3u8`), to find the rendition's stream start date. */
  readonly playlist: string;
  /** Date of media time 0. */
  readonly dateAtZero: number;
}

/** Reads the recorded first playlist of a viewer's page; null until the player has loaded one. */
export async function readAnchor(viewer: Viewer): Promise<PlayheadAnchor | null> {
  const first = await viewer.page.evaluate(() => (window as unknown as { tubeletLiveProbe?: { first: { url: string; text: string } | null } }).tubeletLiveProbe?.first ?? null);
  if (!first) return null;
  const segment = parseMediaPlaylist(first.text).segments[0];
  if (!segment || segment.programDateTime === null) return null;
  return { playlist: new URL(first.url).pathname.split("/").pop()!, dateAtZero: segment.programDateTime };
}

async function samplePage(viewer: Viewer): Promise<PageSample> {
  return viewer.page.evaluate(() => {
    const video = document.querySelector("#player video, video#player") as HTMLVideoElement;
    const hls = (window as unknown as { tubeletHls?: { playingDate: Date | null } }).tubeletHls;
    return { now: Date.now(), currentTime: video.currentTime, paused: video.paused, hlsPlayingDate: hls?.playingDate?.getTime() ?? null };
  });
}

export interface LatencySample {
  readonly viewer: number;
  readonly latencyMs: number;
  /** "hls" when hls.js's playingDate was used, "anchor" when derived from the first playlist. */
  readonly via: "hls" | "anchor";
}

/**
 * Latency = now - (T0 + streamTime), streamTime = playingDate - streamStart (the rendition's date of stream
 * time 0). Pure.
 */
export function latencyMs(o: { now: number; playingDate: number; streamStart: number; t0: number }): number {
  return o.now - (o.t0 + (o.playingDate - o.streamStart));
}

/** One latency sample of a playing viewer; null while it is paused or its anchor or rendition is unknown. */
export async function sampleLatency(
  viewer: Viewer,
  anchor: PlayheadAnchor,
  o: { t0: number; startDates: ReadonlyMap<string, number> },
): Promise<LatencySample | null> {
  const page = await samplePage(viewer);
  if (page.paused) return null;
  // Renditions are cut at the same instants from one encoder, so any rendition's start date fits; the anchor's own is exact.
  const streamStart = o.startDates.get(anchor.playlist) ?? [...o.startDates.values()][0];
  if (streamStart === undefined) return null;
  const via = page.hlsPlayingDate !== null ? "hls" : "anchor";
  const playingDate = page.hlsPlayingDate ?? anchor.dateAtZero + page.currentTime * 1000;
  return { viewer: viewer.number, latencyMs: latencyMs({ now: page.now, playingDate, streamStart, t0: o.t0 }), via };
}

/** The value below which `share` of the sorted values lie (nearest rank). */
export function percentile(values: readonly number[], share: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(share * sorted.length) - 1));
  return sorted[rank]!;
}
