/**
 * Validation of uploaded media with ffprobe, before anything is transcoded or kept.
 * `summarizeProbe` is pure (ffprobe JSON in, typed summary or ProbeError out); `probeMedia` runs the tools.
 */
import { open, stat } from "node:fs/promises";
import { runFfmpeg, readProcessText } from "./ffmpeg.ts";

/** The video stream we transcode; width and height are as displayed (rotation and pixel aspect applied). */
export interface VideoStreamInfo {
  readonly index: number;
  readonly codec: string;
  readonly width: number;
  readonly height: number;
  /** Average frame rate, or null when the container does not say (then 30 is assumed for GOP sizes). */
  readonly fps: number | null;
  readonly rotation: number;
  readonly pixelFormat: string | null;
}

export interface AudioStreamInfo {
  readonly index: number;
  readonly codec: string;
  readonly channels: number;
  readonly sampleRate: number;
}

/** What the rest of the pipeline needs to know about an upload. */
export interface MediaProbe {
  readonly durationSeconds: number;
  readonly formatName: string;
  readonly sizeBytes: number | null;
  readonly video: VideoStreamInfo | null;
  readonly audio: AudioStreamInfo | null;
}

export type ProbeErrorCode = "not-media" | "no-streams" | "zero-duration" | "truncated" | "too-long";

/** A rejected upload; `message` is written for the person who uploaded it. */
export class ProbeError extends Error {
  override name = "ProbeError";
  constructor(readonly code: ProbeErrorCode, message: string) {
    super(message);
  }
}

const MESSAGES = {
  notMedia: "This file is not a video or audio file we can read.",
  empty: "This file is empty.",
  noStreams: "This file contains neither video nor audio.",
  zeroDuration: "This file has no playable length.",
  truncated: "This file is incomplete or damaged (was the upload or the recording cut short?).",
} as const;

/**
 * Container demuxers we accept, as ffprobe names them. An allowlist, not a denylist: demuxers such as
 * hls, concat or image2 follow references to other files, which would let a crafted upload read the server's disk.
 */
export const ACCEPTED_FORMATS: ReadonlySet<string> = new Set([
  "mov", "mp4", "m4a", "3gp", "3g2", "mj2", "matroska", "webm", "avi", "flv", "mpegts", "mpeg", "ogg",
  "wav", "w64", "mp3", "flac", "aac", "asf", "mxf", "dv", "aiff", "amr", "caf",
]);

/** ffprobe arguments that describe every stream and the container as JSON. */
export function ffprobeArgs(input: string): string[] {
  return [
    "-hide_banner",
    "-loglevel", "error",
    "-protocol_whitelist", "file",
    "-print_format", "json",
    "-show_streams",
    "-show_format",
    input,
  ];
}

/** Turns ffprobe's JSON into a MediaProbe, or throws the ProbeError a user should see. */
export function summarizeProbe(json: unknown, options: { maxDurationSeconds?: number } = {}): MediaProbe {
  const root = asRecord(json);
  const format = asRecord(root.format);
  const streams = Array.isArray(root.streams) ? root.streams.map(asRecord) : [];
  const formatName = typeof format.format_name === "string" ? format.format_name : "";
  if (!formatName.split(",").some((name) => ACCEPTED_FORMATS.has(name))) {
    throw new ProbeError("not-media", MESSAGES.notMedia);
  }
  const video = pickVideo(streams);
  const audio = pickAudio(streams);
  if (!video && !audio) throw new ProbeError("no-streams", MESSAGES.noStreams);
  const durationSeconds = mediaDuration(format, streams);
  if (!(durationSeconds > 0)) throw new ProbeError("zero-duration", MESSAGES.zeroDuration);
  const max = options.maxDurationSeconds;
  if (max !== undefined && durationSeconds > max) {
    throw new ProbeError("too-long", `This file lasts ${formatClock(durationSeconds)}; the limit is ${formatClock(max)}.`);
  }
  const size = Number(format.size);
  return { durationSeconds, formatName, sizeBytes: Number.isFinite(size) ? size : null, video, audio };
}

function pickVideo(streams: Record<string, unknown>[]): VideoStreamInfo | null {
  // Cover art in audio files is a one-frame "video" stream flagged attached_pic: not a video.
  const stream = streams.find((s) => s.codec_type === "video" && asRecord(s.disposition).attached_pic !== 1);
  if (!stream) return null;
  const codedWidth = Number(stream.width);
  const codedHeight = Number(stream.height);
  if (!(codedWidth > 0 && codedHeight > 0)) return null;
  const rotation = streamRotation(stream);
  const sar = parseRatio(stream.sample_aspect_ratio, ":");
  const shownWidth = sar && sar > 0 ? Math.round(codedWidth * sar) : codedWidth;
  const quarterTurn = Math.abs(rotation) % 180 === 90;
  return {
    index: Number(stream.index),
    codec: String(stream.codec_name ?? "unknown"),
    width: quarterTurn ? codedHeight : shownWidth,
    height: quarterTurn ? shownWidth : codedHeight,
    fps: parseRatio(stream.avg_frame_rate, "/") ?? parseRatio(stream.r_frame_rate, "/"),
    rotation,
    pixelFormat: typeof stream.pix_fmt === "string" ? stream.pix_fmt : null,
  };
}

function pickAudio(streams: Record<string, unknown>[]): AudioStreamInfo | null {
  const stream = streams.find((s) => s.codec_type === "audio");
  if (!stream) return null;
  return {
    index: Number(stream.index),
    codec: String(stream.codec_name ?? "unknown"),
    channels: Number(stream.channels) || 0,
    sampleRate: Number(stream.sample_rate) || 0,
  };
}

/** The container's duration, else the longest stream's (Matroska streams often have none of their own). */
function mediaDuration(format: Record<string, unknown>, streams: Record<string, unknown>[]): number {
  const fromFormat = Number(format.duration);
  if (fromFormat > 0) return fromFormat;
  const fromStreams = streams.map((s) => Number(s.duration)).filter((d) => d > 0);
  return fromStreams.length ? Math.max(...fromStreams) : 0;
}

/** Phones record portrait video as landscape plus a display rotation; ffmpeg applies it when decoding. */
function streamRotation(stream: Record<string, unknown>): number {
  const sideData = Array.isArray(stream.side_data_list) ? stream.side_data_list.map(asRecord) : [];
  const matrix = sideData.find((d) => typeof d.rotation === "number");
  if (matrix) return Number(matrix.rotation);
  const tag = Number(asRecord(stream.tags).rotate);
  return Number.isFinite(tag) ? tag : 0;
}

/** "30000/1001" -> 29.97; "0/0", "N/A" and garbage -> null. */
export function parseRatio(value: unknown, separator: string): number | null {
  if (typeof value !== "string") return null;
  const [num, den] = value.split(separator).map(Number);
  if (num === undefined || den === undefined || !(num > 0) || !(den > 0)) return null;
  return num / den;
}

function formatClock(seconds: number): string {
  const s = Math.round(seconds);
  const hours = Math.floor(s / 3600);
  const minutes = Math.floor((s % 3600) / 60);
  const rest = String(s % 60).padStart(2, "0");
  return hours ? `${hours}:${String(minutes).padStart(2, "0")}:${rest}` : `${minutes}:${rest}`;
}

function asRecord(value: unknown): Record<string, unknown> {
  return value && typeof value === "object" ? (value as Record<string, unknown>) : {};
}

/** ISO BMFF (mp4/mov) files start with an ftyp box; used to tell "mp4 cut short" from "not a media file". */
export function looksLikeIsoBmff(head: Uint8Array): boolean {
  return head.length >= 8 && new TextDecoder().decode(head.subarray(4, 8)) === "ftyp";
}

/** Seconds decoded at the end of a file by the truncation check. */
export const TAIL_CHECK_SECONDS = 4;

/** ffmpeg arguments that decode the last seconds of a file and throw the frames away (a truncation check). */
export function tailDecodeArgs(input: string, startSeconds: number): string[] {
  return [
    "-hide_banner",
    "-loglevel", "error",
    "-nostdin",
    "-progress", "pipe:1",
    "-nostats",
    "-ss", startSeconds.toFixed(3),
    "-protocol_whitelist", "file",
    "-i", input,
    "-f", "null",
    "-",
  ];
}

/**
 * Truncated files keep the duration their header promised, but their last seconds cannot be decoded:
 * the index points past the end of the file. Losing less than half of the window is tolerated.
 */
export function tailLooksTruncated(decodedSeconds: number, windowSeconds: number): boolean {
  return decodedSeconds < windowSeconds / 2;
}

export interface ProbeOptions {
  readonly maxDurationSeconds?: number;
  readonly checkTruncation?: boolean;
  readonly ffprobePath?: string;
  readonly ffmpegPath?: string;
  readonly timeoutMs?: number;
}

/** Probes and validates an uploaded file; returns its summary or throws ProbeError. */
export async function probeMedia(input: string, options: ProbeOptions = {}): Promise<MediaProbe> {
  if ((await stat(input)).size === 0) throw new ProbeError("not-media", MESSAGES.empty);
  const proc = Bun.spawn([options.ffprobePath ?? "ffprobe", ...ffprobeArgs(input)], {
    stdin: "ignore", stdout: "pipe", stderr: "pipe", timeout: options.timeoutMs ?? 30_000,
  });
  const [code, stdout] = await Promise.all([proc.exited, readProcessText(proc.stdout), readProcessText(proc.stderr)]);
  if (code !== 0) {
    // An mp4 whose index (moov) was due at the end of the file but never arrived.
    if (looksLikeIsoBmff(await readHead(input, 8))) throw new ProbeError("truncated", MESSAGES.truncated);
    throw new ProbeError("not-media", MESSAGES.notMedia);
  }
  let json: unknown;
  try {
    json = JSON.parse(stdout);
  } catch {
    throw new ProbeError("not-media", MESSAGES.notMedia);
  }
  const probe = summarizeProbe(json, options);
  if (options.checkTruncation !== false && (await tailIsTruncated(input, probe, options))) {
    throw new ProbeError("truncated", MESSAGES.truncated);
  }
  return probe;
}

async function tailIsTruncated(input: string, probe: MediaProbe, options: ProbeOptions): Promise<boolean> {
  const window = Math.min(TAIL_CHECK_SECONDS, probe.durationSeconds);
  let decoded = 0;
  try {
    await runFfmpeg({
      args: tailDecodeArgs(input, Math.max(0, probe.durationSeconds - window)),
      ffmpegPath: options.ffmpegPath,
      timeoutMs: options.timeoutMs ?? 60_000,
      onOutTime: (seconds) => { decoded = Math.max(decoded, seconds); },
    });
  } catch {
    return true;
  }
  return tailLooksTruncated(decoded, window);
}

async function readHead(path: string, bytes: number): Promise<Uint8Array> {
  const file = await open(path, "r");
  try {
    const buffer = new Uint8Array(bytes);
    const { bytesRead } = await file.read(buffer, 0, bytes, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await file.close();
  }
}
