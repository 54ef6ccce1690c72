/**
 * ffmpeg command lines for live HLS, as pure functions returning `string[]` (tested against exact lists).
 * One ffmpeg process per live session reads the publisher's FLV on stdin and writes, into one folder:
 * `master.m3u8`, one media playlist per rendition (`720p.m3u8`) and MPEG-TS segments named
 * `<rendition>-<5-digit sequence>.ts`. Segment names start with the rendition's name so they are unique
 * across renditions: the SHA-256 map is keyed by the last path component of a segment URL.
 */
import { join } from "node:path";
import { rungBitrateKbps } from "../transcoding/ladder.ts";
import type { StreamInfo } from "./rtmp/server.ts";

export type { StreamInfo };

export type LatencyMode = "normal" | "low";

/**
 * Target segment length. Players start about three segments behind the live edge (hls.js's default), so
 * latency is roughly four segments: a few seconds in low mode, ~15 s in normal mode with a quarter of the
 * requests per viewer.
 */
export const LIVE_SEGMENT_SECONDS: Readonly<Record<LatencyMode, number>> = Object.freeze({ low: 1, normal: 4 });

/** Segments listed in each live playlist (the sliding window): ~6 s in low latency, ~20 s in normal mode. */
export const LIVE_LIST_SIZE: Readonly<Record<LatencyMode, number>> = Object.freeze({ low: 6, normal: 5 });

/** Name of the single rendition of an audio-only live. */
export const LIVE_AUDIO_RENDITION = "audio";
/** Name of the single rendition when the publisher's stream is copied without re-encoding. */
export const LIVE_SOURCE_RENDITION = "source";
/** The master playlist's file name inside a live session folder. */
export const LIVE_MASTER_PLAYLIST = "master.m3u8";
/** Height assumed when the publisher did not say (no onMetaData): a common OBS default. */
export const ASSUMED_SOURCE_HEIGHT = 720;

/** FLV codec ids (FLV spec, VIDEODATA CodecID and AUDIODATA SoundFormat). */
const FLV_VIDEO_H264 = 7;
const FLV_AUDIO_AAC = 10;

/** Frame rate assumed for bitrates when the publisher did not state one. */
const ASSUMED_FPS = 30;

/** libx264 speed preset for live: the usual real-time trade-off; an instance short of CPU can pass "ultrafast". */
export const DEFAULT_LIVE_PRESET = "veryfast";

export interface LiveRendition {
  /** Used in file names (`720p.m3u8`, `720p-00012.ts`) and in `-var_stream_map`: letters, digits, `_`, `-`. */
  readonly name: string;
  /** Picture height in pixels; 0 for the audio-only rendition. */
  readonly height: number;
  readonly videoKbps: number;
  readonly audioKbps: number;
}

/** Audio bitrate of a rung: small pictures go to small screens and slow links, where audio weighs more. */
export function liveAudioKbps(height: number): number {
  if (height === 0 || height >= 720) return 128;
  return height >= 360 ? 96 : 64;
}

/**
 * The renditions of a live: the allowed heights up to the source's (never an upscale), or the source's
 * own (even) height when it is smaller than every allowed one. Bitrates come from the VOD ladder's table,
 * scaled by the source's aspect ratio and frame rate.
 */
export function liveRenditionsFor(source: StreamInfo, allowedHeights: readonly number[]): LiveRendition[] {
  if (!source.hasVideo) return [{ name: LIVE_AUDIO_RENDITION, height: 0, videoKbps: 0, audioKbps: liveAudioKbps(0) }];
  const sourceHeight = evenFloor(source.height && source.height > 0 ? source.height : ASSUMED_SOURCE_HEIGHT);
  const heights = [...new Set(allowedHeights)].filter((h) => h > 0 && h <= sourceHeight).sort((a, b) => a - b);
  if (heights.length === 0) heights.push(sourceHeight);
  const aspect = source.width && source.width > 0 && source.height && source.height > 0 ? source.width / source.height : 16 / 9;
  const fps = source.frameRate && source.frameRate > 0 ? source.frameRate : ASSUMED_FPS;
  return heights.map((height) => {
    const width = evenFloor(Math.round(height * aspect));
    // The VOD table is indexed by the shorter side; a portrait picture's shorter side is its width.
    const rung = Math.min(width, height);
    return { name: `${height}p`, height, videoKbps: rungBitrateKbps(rung, width, height, fps), audioKbps: liveAudioKbps(height) };
  });
}

/** True when the stream can go to HLS unchanged: H.264 video and AAC audio (whichever of the two it has). */
export function canPassThrough(info: StreamInfo): boolean {
  if (!info.hasVideo && !info.hasAudio) return false;
  return (!info.hasVideo || info.videoCodecId === FLV_VIDEO_H264) && (!info.hasAudio || info.audioCodecId === FLV_AUDIO_AAC);
}

export interface LiveHlsOptions {
  /** Session folder; it must exist (startLiveTranscoder creates it). */
  readonly outputDir: string;
  readonly latency: LatencyMode;
  /**
   * From liveRenditionsFor. With passthrough only the largest is used, for the bandwidth that the master
   * playlist declares (ffmpeg drops a variant whose bitrate it does not know from the master playlist).
   */
  readonly renditions: readonly LiveRendition[];
  /** Copy the publisher's H.264/AAC as is (one "source" rendition, no CPU spent); see canPassThrough. */
  readonly passthrough: boolean;
  readonly source: StreamInfo;
  /** True when the replay is saved: old segments stay on disk after they leave the playlist window. */
  readonly keepAllSegments: boolean;
  /** libx264 preset; DEFAULT_LIVE_PRESET when absent. */
  readonly preset?: string;
  /** Segments per playlist; LIVE_LIST_SIZE[latency] when absent. */
  readonly listSize?: number;
}

/**
 * One ffmpeg process from FLV on stdin to a live HLS ladder. Encoding decodes once, `split`s and scales
 * per rendition and forces a keyframe at every segment boundary on every rendition, so all renditions cut
 * at the same instants, exactly every LIVE_SEGMENT_SECONDS. Passthrough cuts on the publisher's keyframes
 * instead: its keyframe interval must be at most the segment length (OBS: "Keyframe Interval" 1 s for low
 * latency, 2-4 s otherwise), or segments get as long as its GOP.
 */
export function liveHlsArgs(o: LiveHlsOptions): string[] {
  const { source } = o;
  if (!source.hasVideo && !source.hasAudio) throw new Error("liveHlsArgs: the stream has neither video nor audio");
  if (o.passthrough && !canPassThrough(source)) throw new Error("liveHlsArgs: passthrough needs H.264 video and AAC audio");
  if (o.renditions.length === 0) throw new Error("liveHlsArgs: no renditions");
  for (const r of o.renditions) {
    if (!/^[A-Za-z0-9_-]+$/.test(r.name)) throw new Error(`liveHlsArgs: invalid rendition name ${JSON.stringify(r.name)}`);
  }
  if (new Set(o.renditions.map((r) => r.name)).size !== o.renditions.length) throw new Error("liveHlsArgs: duplicate rendition names");
  const seconds = LIVE_SEGMENT_SECONDS[o.latency];
  const args = [...liveInputArgs()];
  let names: string[];
  if (o.passthrough) {
    args.push(...passthroughArgs(source, largest(o.renditions)));
    names = [LIVE_SOURCE_RENDITION];
  } else if (!source.hasVideo) {
    const audio = o.renditions[0]!;
    args.push("-map", "0:a:0", ...audioCodecArgs(), "-b:a:0", `${audio.audioKbps}k`);
    names = [audio.name];
  } else {
    if (o.renditions.some((r) => !(r.height > 0))) throw new Error("liveHlsArgs: a video rendition needs a height");
    args.push(...encodeArgs(o.renditions, source.hasAudio, o.preset ?? DEFAULT_LIVE_PRESET, seconds));
    names = o.renditions.map((r) => r.name);
  }
  const hasVideo = source.hasVideo;
  const streamMap = names.map((name, i) => [hasVideo ? `v:${i}` : null, source.hasAudio ? `a:${i}` : null, `name:${name}`].filter(Boolean).join(","));
  args.push(...liveMuxerArgs(o, seconds, streamMap));
  return args;
}

/**
 * Reads FLV from stdin. No `-re`: the publisher paces the stream. Probing is capped at 1 s (default 5 s)
 * so a stream whose FLV header announces a track that never comes starts anyway (and fails its map
 * clearly) instead of waiting; it normally ends much sooner, once every announced track has shown up.
 * Not `-fflags nobuffer`: it throws away the packets read while probing (measured: the first 2 s of
 * a stream-copied live were missing), which would cut the start of the replay.
 */
function liveInputArgs(): string[] {
  return [
    "-hide_banner", "-loglevel", "error", "-nostdin", "-y",
    "-probesize", "2000000",
    "-analyzeduration", "1000000",
    "-protocol_whitelist", "pipe",
    "-f", "flv",
    "-i", "pipe:0",
  ];
}

function passthroughArgs(source: StreamInfo, nominal: LiveRendition): string[] {
  const args: string[] = [];
  if (source.hasVideo) args.push("-map", "0:v:0");
  if (source.hasAudio) args.push("-map", "0:a:0");
  args.push("-c", "copy");
  // Bitrates are only declared here: with -c copy they reach the muxer's stream parameters, and ffmpeg
  // leaves any variant whose bandwidth it cannot compute out of master.m3u8.
  if (source.hasVideo) args.push("-b:v:0", `${nominal.videoKbps > 0 ? nominal.videoKbps : 6000}k`);
  if (source.hasAudio) args.push("-b:a:0", `${nominal.audioKbps > 0 ? nominal.audioKbps : 128}k`);
  return args;
}

function encodeArgs(renditions: readonly LiveRendition[], hasAudio: boolean, preset: string, seconds: number): string[] {
  const branches = renditions.map((_, i) => `[s${i}]`).join("");
  // scale=-2:H keeps the aspect ratio with an even width (yuv420p needs even sizes).
  const scales = renditions.map((r, i) => `[s${i}]scale=-2:${r.height},setsar=1[v${i}]`);
  const args = ["-filter_complex", [`[0:v:0]split=${renditions.length}${branches}`, ...scales].join(";")];
  renditions.forEach((_, i) => args.push("-map", `[v${i}]`));
  // One AAC encode per rendition: ffmpeg cannot send one encoder's output to several HLS variants, and a
  // self-contained TS per variant (video + audio) is what every player handles.
  if (hasAudio) renditions.forEach(() => args.push("-map", "0:a:0"));
  args.push(
    "-c:v", "libx264",
    "-preset", preset,
    // No B-frames, no lookahead, sliced threads: frames leave the encoder as soon as they are in.
    "-tune", "zerolatency",
    "-pix_fmt", "yuv420p",
    // Keyframes exactly on segment boundaries and nowhere else by scene detection, on every rendition.
    "-sc_threshold", "0",
    "-force_key_frames", `expr:gte(t,n_forced*${seconds})`,
  );
  renditions.forEach((r, i) => args.push(`-b:v:${i}`, `${r.videoKbps}k`, `-maxrate:v:${i}`, `${r.videoKbps}k`, `-bufsize:v:${i}`, `${r.videoKbps * 2}k`));
  if (hasAudio) {
    args.push(...audioCodecArgs());
    renditions.forEach((r, i) => args.push(`-b:a:${i}`, `${r.audioKbps}k`));
  }
  return args;
}

function audioCodecArgs(): string[] {
  return ["-c:a", "aac", "-ac", "2", "-ar", "48000"];
}

/**
 * The HLS muxer. `temp_file` writes each segment as `.tmp` and renames it when complete (playlists are
 * always replaced by rename), so a reader never sees half a file; `program_date_time` lets players show
 * the wall-clock time and measure latency. No `-hls_allow_cache`: EXT-X-ALLOW-CACHE was removed from HLS
 * (RFC 8216 version 7) and players ignore it; caching is the HTTP server's business.
 */
function liveMuxerArgs(o: LiveHlsOptions, seconds: number, streamMap: string[]): string[] {
  const flags = ["independent_segments", "program_date_time", "temp_file"];
  if (!o.keepAllSegments) flags.push("delete_segments");
  return [
    "-f", "hls",
    "-hls_time", String(seconds),
    "-hls_list_size", String(o.listSize ?? LIVE_LIST_SIZE[o.latency]),
    "-hls_segment_type", "mpegts",
    "-hls_flags", flags.join("+"),
    "-hls_segment_filename", join(o.outputDir, "%v-%05d.ts"),
    "-master_pl_name", LIVE_MASTER_PLAYLIST,
    "-var_stream_map", streamMap.join(" "),
    join(o.outputDir, "%v.m3u8"),
  ];
}

function largest(renditions: readonly LiveRendition[]): LiveRendition {
  return renditions.reduce((a, b) => (b.height > a.height ? b : a));
}

function evenFloor(value: number): number {
  return Math.max(2, Math.floor(value / 2) * 2);
}
