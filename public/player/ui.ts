/**
 * What both players share around video.js: the quality menu under `#quality`, keyboard shortcuts, the
 * view beacon, and the test hooks on window. Each bundle supplies its own way to list and pin renditions.
 */
import type { PlayerStats } from "./stats.ts";
import type { VideoJs, VjsPlayer } from "./videojs.ts";

/** The player options both bundles start from. */
export const PLAYER_OPTIONS = {
  fluid: false,
  fill: true,
  playbackRates: [0.5, 1, 1.25, 1.5, 2],
  // Videos here have no captions, chapters, descriptions or alternative audio: video.js would still build these
  // menus (and the caption settings dialog, a few hundred elements) and keep them hidden, on the main thread,
  // before the video can start.
  textTrackSettings: false,
  controlBar: { chaptersButton: false, descriptionsButton: false, subsCapsButton: false, audioTrackButton: false },
} as const;

/** How a bundle lists and pins renditions: VHS's quality levels, or hls.js's levels. */
export interface Renditions {
  /** Distinct heights, any order. */
  heights(): number[];
  /** A height pins the first rendition of that height; null returns to automatic switching. */
  pin(height: number | null): void;
}

/** Options of the `#quality` select: "auto", then heights from the highest down. */
export function qualityOptions(heights: readonly number[]): { value: string; label: string }[] {
  const distinct = [...new Set(heights.filter((h) => h > 0))].sort((a, b) => b - a);
  return [{ value: "auto", label: "Auto" }, ...distinct.map((h) => ({ value: String(h), label: `${h}p` }))];
}

/** The rendition choice, shared by the `#quality` menu and the embed API. */
export interface QualityControl {
  /** Re-reads the renditions; call it whenever their list changes. */
  refresh(): void;
  /** Distinct heights, highest first. */
  heights(): number[];
  /** The pinned height, or null for automatic switching. */
  choice(): number | null;
  /** Pins a height (null: automatic) and shows it in the menu. */
  choose(height: number | null): void;
  /** Called after the list or the choice changed. */
  onChange(listener: () => void): void;
}

/** Wires the quality select (when the page has one) to the bundle's renditions. */
export function bindQualityMenu(renditions: Renditions): QualityControl {
  const select = document.getElementById("quality") as HTMLSelectElement | null;
  const listeners: (() => void)[] = [];
  let chosen: number | null = null;
  // The page rendered "Auto" in its own language; heights need no translation.
  const autoLabel = select?.querySelector<HTMLOptionElement>('option[value="auto"]')?.text || "Auto";
  const changed = () => listeners.forEach((listener) => listener());
  const heights = () => qualityOptions(renditions.heights()).slice(1).map((o) => Number(o.value));
  const choose = (height: number | null) => {
    chosen = height;
    if (select) select.value = height === null ? "auto" : String(height);
    renditions.pin(height);
    changed();
  };
  select?.addEventListener("change", () => choose(select.value === "auto" ? null : Number(select.value)));
  return {
    refresh() {
      // A pinned height the new list no longer offers falls back to automatic.
      if (chosen !== null && !heights().includes(chosen)) chosen = null;
      select?.replaceChildren(...qualityOptions(renditions.heights()).map((o) => new Option(o.value === "auto" ? autoLabel : o.label, o.value)));
      if (select) select.value = chosen === null ? "auto" : String(chosen);
      changed();
    },
    heights,
    choice: () => chosen,
    choose,
    onChange: (listener) => void listeners.push(listener),
  };
}

/**
 * One shortcut key: space or k play/pause, j/l ±10 s, arrows ±5 s, f full screen, m mute, i stats.
 * True when the key was one (the caller then prevents its default).
 */
export function handleShortcut(player: VjsPlayer, event: KeyboardEvent, toggleStats: () => void): boolean {
  if (event.altKey || event.ctrlKey || event.metaKey) return false;
  const seek = ({ ArrowLeft: -5, ArrowRight: 5, j: -10, l: 10 } as Record<string, number>)[event.key];
  if (seek !== undefined) player.currentTime(Math.max(0, player.currentTime() + seek));
  else if (event.key === "k" || event.key === " ") player.paused() ? void player.play() : player.pause();
  else if (event.key === "f") player.isFullscreen() ? player.exitFullscreen() : player.requestFullscreen();
  else if (event.key === "m") player.muted(!player.muted());
  else if (event.key === "i") toggleStats();
  else return false;
  return true;
}

/** A view counts after 5 s of playback (or most of the video, if shorter), once per page load. */
export function bindViewBeacon(player: VjsPlayer, videoId: string): void {
  let sent = false;
  player.on("timeupdate", () => {
    const duration = player.duration() || 0;
    if (sent || player.currentTime() < Math.min(5, duration * 0.9)) return;
    sent = true;
    navigator.sendBeacon(`/api/v1/videos/${encodeURIComponent(videoId)}/views`);
  });
}

/** The P2P statistics endpoint of a video. */
export function statsUrl(videoId: string): string {
  return `/api/v1/videos/${encodeURIComponent(videoId)}/p2p-stats`;
}

/** For the end-to-end tests and for curious people in the console. */
export function exposeForTests(player: VjsPlayer, stats: () => PlayerStats): void {
  Object.assign(window, { tubeletPlayer: player, tubeletStats: stats });
}

export interface CreatedPlayer {
  readonly element: HTMLVideoElement;
  readonly player: VjsPlayer;
  /** What the i key does, once the bundle has its stats overlay. */
  setStatsToggle(toggle: () => void): void;
  /** Disposes the player and removes the page-wide shortcut listener. */
  dispose(): void;
}

/** Dispatched on document by the live page after it swapped in a new player box (waiting → live → ended). */
export const PLAYER_SWAPPED_EVENT = "tubelet:live-player";

/**
 * Runs `start` now, and again each time the live page swaps in a new `<video id="player">`; whatever the
 * previous run returned is called first, so one page never drives two players or reports twice.
 */
export function startPlayerOnPage(start: () => (() => void) | null): void {
  let stop = start();
  document.addEventListener(PLAYER_SWAPPED_EVENT, () => {
    stop?.();
    stop = start();
  });
}

/**
 * Creates the video.js player on `<video id="player">` (null on pages without one), with the shortcuts
 * working wherever the focus is except in form fields. Inside the player, video.js's components stop
 * key events from bubbling and hand them to the player's `hotkeys` function, so the same handler is
 * installed there and on the document; whichever runs first prevents the default, and the document
 * listener skips events already handled.
 */
export function createPlayer(videojs: VideoJs, options: Record<string, unknown>): CreatedPlayer | null {
  const element = document.getElementById("player");
  if (!(element instanceof HTMLVideoElement)) return null;
  let toggleStats = () => {};
  const onKey = (event: KeyboardEvent) => {
    if (handleShortcut(player, event, toggleStats)) event.preventDefault();
  };
  const player = videojs(element, { ...PLAYER_OPTIONS, ...options, userActions: { hotkeys: onKey } });
  const onPageKey = (event: KeyboardEvent) => {
    const target = event.target as HTMLElement | null;
    if (event.defaultPrevented || target?.closest?.("input, textarea, select, [contenteditable]")) return;
    // Space still presses a focused button or scrolls from a link; it only plays from the page itself.
    if (event.key === " " && target !== document.body) return;
    onKey(event);
  };
  document.addEventListener("keydown", onPageKey);
  return {
    element,
    player,
    setStatsToggle: (toggle) => (toggleStats = toggle),
    dispose() {
      document.removeEventListener("keydown", onPageKey);
      player.dispose();
    },
  };
}
