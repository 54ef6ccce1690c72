/**
 * Which renditions a video gets, at what size, frame rate and bitrate cap. Pure functions of the probe
 * and a ladder configuration, so the choices are tested without ffmpeg.
 */
import type { MediaProbe } from "./probe.ts";

export interface LadderConfig {
  /** Rungs, as the length of the picture's shorter side (720 = 1280x720 landscape or 720x1280 portrait). */
  readonly resolutions: readonly number[];
  readonly segmentSeconds: number;
  /** libx264 preset: slower presets give smaller files for the same quality. */
  readonly preset: string;
  /** libx264 constant rate factor; the per-rung maxrate caps it ("capped CRF"). */
  readonly crf: number;
  /** Sources above this frame rate are converted down to it. */
  readonly maxFps: number;
  readonly audioBitrateKbps: number;
  /** Also encode the source's own size when it falls between two rungs (e.g. 900p gets 720p and 900p). */
  readonly keepSourceResolution: boolean;
}

export const DEFAULT_LADDER: LadderConfig = Object.freeze({
  resolutions: Object.freeze([144, 240, 360, 480, 720, 1080, 1440, 2160]),
  segmentSeconds: 4,
  preset: "veryfast",
  crf: 23,
  maxFps: 60,
  audioBitrateKbps: 128,
  keepSourceResolution: false,
});

/** One video rendition of the ladder. */
export interface Rendition {
  /** Used in file names: `720p.m3u8`, `720p-init.mp4`, `720p-0001.m4s`. */
  readonly name: string;
  /** The shorter side, in pixels. */
  readonly rung: number;
  readonly width: number;
  readonly height: number;
  readonly maxrateKbps: number;
  readonly bufsizeKbps: number;
}

/** Frame rate assumed when the source does not state one; only GOP sizes depend on it. */
export const FALLBACK_FPS = 30;

/**
 * Video bitrate caps at 30 fps for a 16:9 picture, in kbit/s. In the range PeerTube uses
 * (100k at 144p to ~3.3M at 1080p); with CRF 23 most content stays well below the cap.
 */
const BASE_KBPS: ReadonlyArray<readonly [rung: number, kbps: number]> = [
  [144, 100], [240, 250], [360, 500], [480, 900], [720, 1800], [1080, 3300], [1440, 6600], [2160, 13000],
];

/** The renditions to encode for a probed source: rungs up to the source size, never an upscale. */
export function chooseRenditions(probe: MediaProbe, config: LadderConfig = DEFAULT_LADDER): Rendition[] {
  const video = probe.video;
  if (!video) return [];
  const fps = outputFps(video.fps, config.maxFps);
  const sourceRung = evenFloor(Math.min(video.width, video.height));
  const rungs = [...new Set(config.resolutions)].filter((r) => r > 0 && r <= sourceRung).sort((a, b) => a - b);
  // A source smaller than every rung still plays: one rendition at its own (even) size.
  if (rungs.length === 0 || (config.keepSourceResolution && !rungs.includes(sourceRung))) rungs.push(sourceRung);
  return rungs.map((rung) => {
    const { width, height } = scaledSize(video.width, video.height, rung);
    const maxrateKbps = rungBitrateKbps(rung, width, height, fps);
    return { name: `${rung}p`, rung, width, height, maxrateKbps, bufsizeKbps: maxrateKbps * 2 };
  });
}

/** Output frame rate: the source's, capped at maxFps; FALLBACK_FPS when the source does not say. */
export function outputFps(sourceFps: number | null, maxFps: number): number {
  if (sourceFps === null || !(sourceFps > 0)) return FALLBACK_FPS;
  return Math.min(sourceFps, maxFps);
}

/** True when the source must be converted to a lower frame rate before scaling. */
export function needsFpsCap(sourceFps: number | null, maxFps: number): boolean {
  return sourceFps !== null && sourceFps > maxFps;
}

/**
 * Frames per GOP: one keyframe per segment. With `-sc_threshold 0` and keyframes forced at segment
 * boundaries, every rendition cuts its segments at the same instants, so players switch without gaps.
 */
export function gopFrames(fps: number, segmentSeconds: number): number {
  return Math.max(1, Math.round(fps * segmentSeconds));
}

/** Picture size whose shorter side is `rung`, keeping the aspect ratio, both sides even (yuv420p needs it). */
export function scaledSize(sourceWidth: number, sourceHeight: number, rung: number): { width: number; height: number } {
  if (sourceWidth >= sourceHeight) return { width: evenRound((rung * sourceWidth) / sourceHeight), height: rung };
  return { width: rung, height: evenRound((rung * sourceHeight) / sourceWidth) };
}

/**
 * Bitrate cap for a rung. Scaled by picture area against 16:9 (a 4:3 or square picture has fewer pixels)
 * and by frame rate (60 fps costs ~1.4x, not 2x: consecutive frames differ less).
 */
export function rungBitrateKbps(rung: number, width: number, height: number, fps: number): number {
  const areaFactor = clamp((width * height) / ((rung * rung * 16) / 9), 0.5, 1.5);
  const fpsFactor = fps >= 30 ? 1 + (0.4 * (Math.min(fps, 60) - 30)) / 30 : Math.max(0.6, 0.3 + (0.7 * fps) / 30);
  return Math.max(10, Math.round((baseKbps(rung) * areaFactor * fpsFactor) / 10) * 10);
}

/** Table value, linear between rungs, by area ratio outside the table (custom rungs, keepSourceResolution). */
function baseKbps(rung: number): number {
  const first = BASE_KBPS[0]!;
  const last = BASE_KBPS[BASE_KBPS.length - 1]!;
  if (rung <= first[0]) return first[1] * (rung / first[0]) ** 2;
  if (rung >= last[0]) return last[1] * (rung / last[0]) ** 2;
  const upperIndex = BASE_KBPS.findIndex(([r]) => r >= rung);
  const [r1, k1] = BASE_KBPS[upperIndex - 1]!;
  const [r2, k2] = BASE_KBPS[upperIndex]!;
  return k1 + ((k2 - k1) * (rung - r1)) / (r2 - r1);
}

function evenRound(value: number): number {
  return Math.max(2, Math.round(value / 2) * 2);
}

function evenFloor(value: number): number {
  return Math.max(2, Math.floor(value / 2) * 2);
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}
