/**
 * ffmpeg command lines for video on demand, as pure functions returning `string[]`; tests compare them
 * with exact expected lists. Every command reads user input through the file protocol only.
 */
import { join } from "node:path";
import { gopFrames, needsFpsCap, outputFps, type LadderConfig, type Rendition } from "./ladder.ts";
import type { MediaProbe } from "./probe.ts";

/** File names inside the HLS folder. */
export const MASTER_PLAYLIST = "master.m3u8";
/** Name of the single rendition of an audio-only upload. */
export const AUDIO_RENDITION = "audio";

/**
 * Thumbnail (video lists) and preview (player poster) sizes: PeerTube's, except that the thumbnail is
 * 158 rather than 157 pixels high, because 4:2:0 JPEG cannot have an odd height (ffmpeg would silently
 * output 156).
 */
export const THUMBNAIL_SIZE = { width: 280, height: 158 } as const;
export const PREVIEW_SIZE = { width: 850, height: 480 } as const;

/** Options every command starts with: errors only on stderr, machine-readable progress on stdout. */
function commonHead(): string[] {
  return ["-hide_banner", "-loglevel", "error", "-nostdin", "-progress", "pipe:1", "-nostats", "-y"];
}

export interface HlsLadderArgsOptions {
  readonly input: string;
  /** Folder that receives the playlists and segments (it must exist). */
  readonly hlsDir: string;
  readonly probe: MediaProbe;
  /** From chooseRenditions; empty for audio-only sources. */
  readonly renditions: readonly Rendition[];
  readonly config: LadderConfig;
}

/**
 * One ffmpeg process that decodes the source once and writes the whole HLS ladder: the decoded video is
 * `split` and scaled once per rendition, every rendition gets its own copy of the AAC audio muxed in
 * (one self-contained fMP4 stream per variant is what hls.js and video.js VHS play most reliably).
 */
export function hlsLadderArgs(options: HlsLadderArgsOptions): string[] {
  const { input, hlsDir, probe, renditions, config } = options;
  const video = probe.video && renditions.length > 0 ? probe.video : null;
  const audio = probe.audio;
  if (!video && !audio) throw new Error("hlsLadderArgs: the source has neither a video stream nor an audio stream");
  const args = [...commonHead(), "-protocol_whitelist", "file", "-i", input];
  if (video) args.push(...videoEncodeArgs(video.index, video.fps, renditions, config));
  if (audio) {
    const copies = video ? renditions.length : 1;
    for (let i = 0; i < copies; i++) args.push("-map", `0:${audio.index}`);
  }
  // Strip container metadata and chapters: phones write GPS positions into it.
  args.push("-map_metadata", "-1", "-map_chapters", "-1");
  if (audio) args.push("-c:a", "aac", "-b:a", `${config.audioBitrateKbps}k`, "-ac", "2", "-ar", "48000");
  const names = video ? renditions.map((r) => r.name) : [AUDIO_RENDITION];
  args.push(...hlsMuxerArgs(hlsDir, names, video !== null, audio !== null, config.segmentSeconds));
  return args;
}

function videoEncodeArgs(streamIndex: number, sourceFps: number | null, renditions: readonly Rendition[], config: LadderConfig): string[] {
  const fps = outputFps(sourceFps, config.maxFps);
  const gop = String(gopFrames(fps, config.segmentSeconds));
  const fpsFilter = needsFpsCap(sourceFps, config.maxFps) ? `fps=${formatNumber(fps)},` : "";
  const branches = renditions.map((_, i) => `[s${i}]`).join("");
  const scales = renditions.map((r, i) => `[s${i}]scale=${r.width}:${r.height},setsar=1[v${i}]`);
  const args = ["-filter_complex", [`[0:${streamIndex}]${fpsFilter}split=${renditions.length}${branches}`, ...scales].join(";")];
  renditions.forEach((_, i) => args.push("-map", `[v${i}]`));
  args.push(
    "-c:v", "libx264",
    "-preset", config.preset,
    "-crf", String(config.crf),
    // Browsers decode 4:2:0 only; a 4:4:4 or 10-bit source would otherwise produce an unplayable stream.
    "-pix_fmt", "yuv420p",
    "-g", gop,
    "-keyint_min", gop,
    "-sc_threshold", "0",
    "-force_key_frames", `expr:gte(t,n_forced*${formatNumber(config.segmentSeconds)})`,
  );
  renditions.forEach((r, i) => args.push(`-maxrate:v:${i}`, `${r.maxrateKbps}k`, `-bufsize:v:${i}`, `${r.bufsizeKbps}k`));
  return args;
}

/**
 * The HLS muxer: fMP4 segments, VOD playlists, one playlist per variant plus the master playlist.
 * ffmpeg only expands %v in the init segment name when there are several variants, so a single
 * variant gets a literal name.
 */
function hlsMuxerArgs(hlsDir: string, names: string[], hasVideo: boolean, hasAudio: boolean, segmentSeconds: number): string[] {
  const streamMap = names.map((name, i) => {
    const parts = [hasVideo ? `v:${i}` : null, hasAudio ? `a:${hasVideo ? i : 0}` : null].filter(Boolean);
    return [...parts, `name:${name}`].join(",");
  });
  return [
    "-f", "hls",
    "-hls_time", formatNumber(segmentSeconds),
    "-hls_playlist_type", "vod",
    "-hls_segment_type", "fmp4",
    "-hls_flags", "independent_segments",
    "-hls_fmp4_init_filename", names.length === 1 ? initSegmentName(names[0]!) : initSegmentName("%v"),
    "-hls_segment_filename", join(hlsDir, `%v-%04d.m4s`),
    "-master_pl_name", MASTER_PLAYLIST,
    "-var_stream_map", streamMap.join(" "),
    join(hlsDir, "%v.m3u8"),
  ];
}

/** Init segment file name of a rendition. */
export function initSegmentName(rendition: string): string {
  return `${rendition}-init.mp4`;
}

export interface ImageArgsOptions {
  readonly input: string;
  readonly probe: MediaProbe;
  readonly thumbnailPath: string;
  readonly previewPath: string;
}

/**
 * Thumbnail and preview from one frame at 10% of the duration (past intros and black first frames).
 * The thumbnail is cropped to fill its box so video lists line up; the preview keeps the whole picture
 * because the player letterboxes its poster anyway.
 */
export function imageArgs(options: ImageArgsOptions): string[] {
  const video = options.probe.video;
  if (!video) throw new Error("imageArgs: the source has no video stream");
  const at = Math.min(options.probe.durationSeconds * 0.1, Math.max(0, options.probe.durationSeconds - 0.5));
  const { width: tw, height: th } = THUMBNAIL_SIZE;
  const preview = fitWithin(video.width, video.height, PREVIEW_SIZE.width, PREVIEW_SIZE.height);
  return [
    ...commonHead(),
    "-ss", at.toFixed(3),
    "-protocol_whitelist", "file",
    "-i", options.input,
    "-filter_complex",
    `[0:${video.index}]split=2[a][b];` +
      `[a]scale=${tw}:${th}:force_original_aspect_ratio=increase,crop=${tw}:${th},setsar=1[thumb];` +
      `[b]scale=${preview.width}:${preview.height},setsar=1[preview]`,
    "-map_metadata", "-1",
    "-map", "[thumb]", "-frames:v", "1", "-q:v", "3", "-pix_fmt", "yuvj420p", options.thumbnailPath,
    "-map", "[preview]", "-frames:v", "1", "-q:v", "3", "-pix_fmt", "yuvj420p", options.previewPath,
  ];
}

/** Largest even size with the source's aspect ratio that fits in the box, never larger than the source. */
export function fitWithin(width: number, height: number, maxWidth: number, maxHeight: number): { width: number; height: number } {
  const scale = Math.min(1, maxWidth / width, maxHeight / height);
  const even = (value: number) => Math.max(2, Math.floor(value / 2) * 2);
  return { width: even(width * scale), height: even(height * scale) };
}

/**
 * A progressive MP4 for download, remuxed (no re-encode) from the top rendition's HLS playlist;
 * `+faststart` moves the index to the front so it plays while downloading.
 */
export function downloadMp4Args(playlistPath: string, outputPath: string): string[] {
  return [
    ...commonHead(),
    "-protocol_whitelist", "file",
    "-i", playlistPath,
    "-map", "0",
    "-c", "copy",
    "-map_metadata", "-1",
    "-movflags", "+faststart",
    outputPath,
  ];
}

/** Numbers in arguments: integers as-is, others with at most 3 decimals (29.97, not 29.970029970029973). */
function formatNumber(value: number): string {
  return Number.isInteger(value) ? String(value) : String(Math.round(value * 1000) / 1000);
}
