/**
 * PeerTube's embed API on our player: the methods `@peertube/embed-api` calls (play, seek, setVolume,
 * getResolutions, ...) and the events it listens for (ready, playbackStatusUpdate every 0.5 s,
 * playbackStatusChange, volumeChange, resolutionUpdate), over the channel in embed-channel.ts.
 * Documented at https://docs.joinpeertube.org/api/embed-player.
 */
import { openEmbedChannel, type ChannelMethod, type ChannelWindow, type EmbedChannel } from "./embed-channel.ts";
import type { QualityControl } from "./ui.ts";
import type { VjsPlayer } from "./videojs.ts";

export type PlaybackState = "unstarted" | "playing" | "paused" | "ended";

/** PeerTube's resolution shape; ids are heights, and -1 is automatic switching. */
export interface EmbedResolution {
  readonly id: number;
  readonly label: string;
  readonly height: number;
  readonly active: boolean;
}

export const AUTO_RESOLUTION_ID = -1;

/** How often playbackStatusUpdate is sent, as PeerTube does. */
export const STATUS_INTERVAL_MS = 500;

/** The list getResolutions answers: Auto first, then heights from the highest down. */
export function resolutionList(heights: readonly number[], choice: number | null): EmbedResolution[] {
  const distinct = [...new Set(heights.filter((h) => h > 0))].sort((a, b) => b - a);
  return [
    { id: AUTO_RESOLUTION_ID, label: "Auto", height: 0, active: choice === null },
    ...distinct.map((height) => ({ id: height, label: `${height}p`, height, active: choice === height })),
  ];
}

/** The height setResolution asks for (null: automatic); throws for an id getResolutions never gave. */
export function resolutionChoice(id: unknown, heights: readonly number[]): number | null {
  const value = typeof id === "string" && id.trim() !== "" ? Number(id) : id;
  if (value === AUTO_RESOLUTION_ID) return null;
  if (typeof value === "number" && heights.includes(value)) return value;
  throw new Error(`There is no resolution with id ${JSON.stringify(id)}.`);
}

function finiteNumber(value: unknown, what: string, min: number, max: number): number {
  if (typeof value !== "number" || !Number.isFinite(value) || value < min || value > max) {
    throw new Error(`${what} must be a number from ${min} to ${max}.`);
  }
  return value;
}

/** The frame on screen as a JPEG data: URL (the media is same-origin, so the canvas is readable). */
function frameDataUrl(player: VjsPlayer): string {
  const video = player.el().querySelector("video");
  if (!video || !video.videoWidth) throw new Error("There is no picture to capture yet.");
  const canvas = document.createElement("canvas");
  canvas.width = video.videoWidth;
  canvas.height = video.videoHeight;
  canvas.getContext("2d")!.drawImage(video, 0, 0);
  return canvas.toDataURL("image/jpeg", 0.9);
}

export interface EmbedApiOptions {
  readonly win: ChannelWindow;
  readonly scope: string;
  readonly player: VjsPlayer;
  readonly quality: QualityControl;
  readonly playbackRates: readonly number[];
}

function methods(o: EmbedApiOptions, state: { ready: boolean; playback: PlaybackState }): Record<string, ChannelMethod> {
  const { player, quality } = o;
  return {
    isReady: () => state.ready,
    isPlaying: () => !player.paused() && !player.ended(),
    play: async () => {
      await player.play();
    },
    pause: () => player.pause(),
    seek: (seconds) => player.currentTime(finiteNumber(seconds, "The position", 0, Number.MAX_SAFE_INTEGER)),
    getCurrentTime: () => player.currentTime(),
    setVolume: (value) => player.volume(finiteNumber(value, "The volume", 0, 1)),
    getVolume: () => player.volume(),
    getPlaybackRates: () => [...o.playbackRates],
    getPlaybackRate: () => player.playbackRate(),
    setPlaybackRate: (rate) => player.playbackRate(finiteNumber(rate, "The playback rate", 0.0625, 16)),
    getResolutions: () => resolutionList(quality.heights(), quality.choice()),
    setResolution: (id) => quality.choose(resolutionChoice(id, quality.heights())),
    // Videos here have no captions yet; PeerTube answers an empty list too.
    getCaptions: () => [],
    setCaption: (id) => {
      throw new Error(`There is no caption with id ${JSON.stringify(id)}.`);
    },
    // Not a playlist: PeerTube ignores these outside one.
    playNextVideo: () => undefined,
    playPreviousVideo: () => undefined,
    getCurrentPosition: () => undefined,
    setVideoPassword: () => undefined,
    getImageDataUrl: () => frameDataUrl(player),
  };
}

/** Starts answering the parent page; returns the channel (for tests) and a stop function for the status timer. */
export function startEmbedApi(o: EmbedApiOptions): { channel: EmbedChannel; stop(): void } {
  const { player, quality } = o;
  const state: { ready: boolean; playback: PlaybackState } = { ready: false, playback: "unstarted" };
  const channel = openEmbedChannel(o.win, o.scope, methods(o, state));

  const change = (playback: PlaybackState) => {
    if (state.playback === playback) return;
    state.playback = playback;
    channel.notify("playbackStatusChange", playback);
  };
  player.on("play", () => change("playing"));
  player.on("playing", () => change("playing"));
  player.on("pause", () => {
    if (!player.ended()) change("paused");
  });
  player.on("ended", () => change("ended"));
  player.on("volumechange", () => channel.notify("volumeChange", player.volume()));
  quality.onChange(() => channel.notify("resolutionUpdate", resolutionList(quality.heights(), quality.choice())));

  // Ready once the media's duration and renditions are known; an error counts too, so callers are not left waiting.
  const markReady = () => {
    if (state.ready) return;
    state.ready = true;
    channel.notify("ready", true);
  };
  player.one("loadedmetadata", markReady);
  player.one("error", markReady);

  const timer = setInterval(() => {
    // Periodic: nothing is worth queueing before a parent listens.
    if (!channel.connected) return;
    channel.notify("playbackStatusUpdate", {
      position: player.currentTime(),
      volume: player.volume(),
      duration: player.duration() || 0,
      playbackState: state.playback,
    });
  }, STATUS_INTERVAL_MS);
  return { channel, stop: () => clearInterval(timer) };
}
