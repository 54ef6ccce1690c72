/**
 * Video on demand: one upload -> HLS ladder, thumbnail, preview, segment hashes and optionally a
 * download MP4, all written into a work folder that replaces the output folder only once complete.
 * Database-free: plain paths and values in, a description of the files out.
 */
import { mkdir, readdir, rename, rm, stat, writeFile } from "node:fs/promises";
import { dirname, join, relative, resolve } from "node:path";
import { AUDIO_RENDITION, MASTER_PLAYLIST, downloadMp4Args, hlsLadderArgs, imageArgs, initSegmentName } from "./args.ts";
import { runFfmpeg } from "./ffmpeg.ts";
import { SEGMENT_HASHES_FILE, hashSegments, writeSegmentHashMap } from "./hashes.ts";
import { DEFAULT_LADDER, chooseRenditions, outputFps, type LadderConfig, type Rendition } from "./ladder.ts";
import { AAC_LC_CODEC, avcCodecFromInit, completeMasterPlaylist, parseMediaPlaylist, renditionBitrates, type VariantAttributes } from "./playlists.ts";
import { probeMedia, type MediaProbe } from "./probe.ts";

/** Sub-folder of the output folder holding playlists, segments and the hash map. */
export const HLS_DIR = "hls";
export const THUMBNAIL_FILE = "thumbnail.jpg";
export const PREVIEW_FILE = "preview.jpg";
export const DOWNLOAD_FILE = "download.mp4";

export interface TranscodeVodOptions {
  readonly input: string;
  /** The final folder (e.g. videos/<uuid>); replaced as a whole if it already exists. */
  readonly outputDir: string;
  /**
   * This transcode's own scratch folder (e.g. tmp/transcode/<uuid>), on the same filesystem as
   * outputDir so the final move is a rename. Emptied first (a crashed run may have left files) and
   * removed on failure.
   */
  readonly workDir: string;
  /** The upload's probe, if the caller already has it (it is probed otherwise). */
  readonly probe?: MediaProbe;
  readonly ladder?: Partial<LadderConfig>;
  /** Thumbnail and preview JPEGs (default true; skipped for audio-only sources). */
  readonly images?: boolean;
  /** Progressive MP4 of the top rendition, remuxed without re-encoding (default false). */
  readonly downloadMp4?: boolean;
  /** 0-100; reaches 100 only once the output folder is in place. */
  readonly onProgress?: (percent: number) => void;
  readonly signal?: AbortSignal;
  /** Limit for each ffmpeg step. */
  readonly timeoutMs?: number;
  readonly ffmpegPath?: string;
  readonly ffprobePath?: string;
}

/** One rendition as written; file names are relative to the HLS folder. */
export interface RenditionOutput {
  readonly name: string;
  readonly playlist: string;
  readonly initSegment: string;
  readonly segmentCount: number;
  /** Null for audio-only. */
  readonly width: number | null;
  readonly height: number | null;
  readonly frameRate: number | null;
  readonly codecs: string;
  /** Peak and average segment bit rates, bits/s, as written in the master playlist. */
  readonly bandwidth: number;
  readonly averageBandwidth: number;
}

/** What transcodeToHlsLadder produced; paths are relative to outputDir. */
export interface VodOutput {
  readonly outputDir: string;
  readonly masterPlaylist: string;
  readonly segmentHashes: string;
  readonly renditions: readonly RenditionOutput[];
  readonly thumbnail: string | null;
  readonly preview: string | null;
  readonly download: string | null;
  readonly durationSeconds: number;
  readonly audioOnly: boolean;
}

/** Transcodes one upload into its final folder; throws FfmpegError (with ffmpeg's last stderr lines) and leaves nothing behind on failure. */
export async function transcodeToHlsLadder(options: TranscodeVodOptions): Promise<VodOutput> {
  const workDir = resolve(options.workDir);
  const outputDir = resolve(options.outputDir);
  assertSeparateFolders(workDir, outputDir);
  await rm(workDir, { recursive: true, force: true });
  const hlsDir = join(workDir, HLS_DIR);
  await mkdir(hlsDir, { recursive: true });
  try {
    const probe = options.probe ?? (await probeMedia(options.input, { checkTruncation: false, ffprobePath: options.ffprobePath, ffmpegPath: options.ffmpegPath }));
    const config: LadderConfig = { ...DEFAULT_LADDER, ...options.ladder };
    const renditions = chooseRenditions(probe, config);
    const phase = phaseProgress(options.onProgress);
    // The images read the original on their own (one seek, two frames): beside the ladder they cost no wall time,
    // after it ~0.5 s, measured against bare ffmpeg in `bun run bench transcode`.
    const wantImages = options.images !== false && probe.video !== null;
    const [ladder, imageStep] = await Promise.allSettled([
      run(options, hlsLadderArgs({ input: options.input, hlsDir, probe, renditions, config }), probe.durationSeconds, phase(0, 95)),
      wantImages ? writeImages(options, probe, workDir, () => {}) : Promise.resolve(false),
    ]);
    // Both settled before anything is thrown, so the clean-up below never races a still-running ffmpeg.
    if (ladder.status === "rejected") throw ladder.reason;
    if (imageStep.status === "rejected") throw imageStep.reason;
    const images = imageStep.value;
    const outputs = await finishHlsFolder(hlsDir, probe, renditions, config);
    if (options.downloadMp4) {
      const top = join(hlsDir, outputs[outputs.length - 1]!.playlist);
      await run(options, downloadMp4Args(top, join(workDir, DOWNLOAD_FILE)), probe.durationSeconds, phase(95, 99));
    }
    options.signal?.throwIfAborted();
    await moveIntoPlace(workDir, outputDir);
    options.onProgress?.(100);
    return {
      outputDir,
      masterPlaylist: join(HLS_DIR, MASTER_PLAYLIST),
      segmentHashes: join(HLS_DIR, SEGMENT_HASHES_FILE),
      renditions: outputs,
      thumbnail: images ? THUMBNAIL_FILE : null,
      preview: images ? PREVIEW_FILE : null,
      download: options.downloadMp4 ? DOWNLOAD_FILE : null,
      durationSeconds: probe.durationSeconds,
      audioOnly: renditions.length === 0,
    };
  } catch (error) {
    await rm(workDir, { recursive: true, force: true });
    throw error;
  }
}

function run(options: TranscodeVodOptions, args: string[], durationSeconds: number, onProgress?: (percent: number) => void): Promise<void> {
  return runFfmpeg({ args, durationSeconds, onProgress, signal: options.signal, timeoutMs: options.timeoutMs, ffmpegPath: options.ffmpegPath });
}

/**
 * Thumbnail and preview; false when ffmpeg found no frame to take (a video stream that ends long before
 * the audio), in which case the caller shows its default image rather than failing the whole video.
 */
async function writeImages(options: TranscodeVodOptions, probe: MediaProbe, workDir: string, onProgress: (percent: number) => void): Promise<boolean> {
  const thumbnailPath = join(workDir, THUMBNAIL_FILE);
  const previewPath = join(workDir, PREVIEW_FILE);
  await run(options, imageArgs({ input: options.input, probe, thumbnailPath, previewPath }), 0, onProgress);
  const sizes = await Promise.all([thumbnailPath, previewPath].map((path) => stat(path).then((s) => s.size, () => 0)));
  if (sizes.every((size) => size > 0)) return true;
  await Promise.all([thumbnailPath, previewPath].map((path) => rm(path, { force: true })));
  return false;
}

/** Maps a step's own 0-100 onto its share of the whole job; never reports 100 (that is for the final move). */
function phaseProgress(onProgress?: (percent: number) => void) {
  let last = -1;
  return (from: number, to: number) => (percent: number) => {
    const overall = Math.min(99, Math.floor(from + ((to - from) * percent) / 100));
    if (onProgress && overall > last) {
      last = overall;
      onProgress(overall);
    }
  };
}

/**
 * Completes a ladder's HLS folder from what is on disk: measures each rendition, writes the master playlist's
 * attributes and the segment hash map. Remote runners' results go through it on the instance too, so the
 * master and the hashes served are always computed here, never taken from whoever encoded.
 */
export async function finishHlsFolder(hlsDir: string, probe: MediaProbe, renditions: readonly Rendition[], config: LadderConfig): Promise<RenditionOutput[]> {
  const outputs = await describeRenditions(hlsDir, probe, renditions, config);
  await rewriteMaster(hlsDir, outputs);
  await writeSegmentHashMap(hlsDir, await hashSegments(hlsDir, outputs.map((r) => r.playlist)));
  return outputs;
}

/** Reads back each rendition's playlist, init segment and segment sizes to compute its master playlist attributes. */
async function describeRenditions(hlsDir: string, probe: MediaProbe, renditions: readonly Rendition[], config: LadderConfig): Promise<RenditionOutput[]> {
  const fps = probe.video && renditions.length ? outputFps(probe.video.fps, config.maxFps) : null;
  const planned = renditions.length ? renditions : [null];
  return Promise.all(planned.map(async (rendition) => {
    const name = rendition?.name ?? AUDIO_RENDITION;
    const playlist = `${name}.m3u8`;
    const parsed = parseMediaPlaylist(await Bun.file(join(hlsDir, playlist)).text());
    const initSegment = parsed.initSegment ?? initSegmentName(name);
    const init = new Uint8Array(await Bun.file(join(hlsDir, initSegment)).arrayBuffer());
    const sizes = await Promise.all(parsed.segments.map(async (s) => ({ bytes: (await stat(join(hlsDir, s.uri))).size, durationSeconds: s.durationSeconds })));
    const { peak, average } = renditionBitrates(sizes, init.length);
    const codecs = [rendition ? avcCodecFromInit(init) : null, probe.audio ? AAC_LC_CODEC : null];
    if (rendition && !codecs[0]) throw new Error(`${initSegment}: no avcC box, cannot name the H.264 codec`);
    return {
      name, playlist, initSegment, segmentCount: parsed.segments.length,
      width: rendition?.width ?? null, height: rendition?.height ?? null, frameRate: rendition ? fps : null,
      codecs: codecs.filter(Boolean).join(","), bandwidth: peak, averageBandwidth: average,
    };
  }));
}

async function rewriteMaster(hlsDir: string, renditions: readonly RenditionOutput[]): Promise<void> {
  const path = join(hlsDir, MASTER_PLAYLIST);
  const variants: VariantAttributes[] = renditions.map((r) => ({
    uri: r.playlist,
    bandwidth: r.bandwidth,
    averageBandwidth: r.averageBandwidth,
    codecs: r.codecs,
    ...(r.width !== null && r.height !== null ? { resolution: { width: r.width, height: r.height } } : {}),
    ...(r.frameRate !== null ? { frameRate: r.frameRate } : {}),
  }));
  await writeFile(path, completeMasterPlaylist(await Bun.file(path).text(), variants));
}

/**
 * Puts a finished work folder in place with renames only. If an older output exists (a re-transcode),
 * it is moved aside first and deleted after, so the output path is never half-written.
 */
export async function moveIntoPlace(workDir: string, outputDir: string): Promise<void> {
  await mkdir(dirname(outputDir), { recursive: true });
  const existing = await readdir(outputDir).catch(() => null);
  if (existing === null) {
    await renameOnSameDevice(workDir, outputDir);
    return;
  }
  const aside = `${outputDir}.old-${process.pid}-${Date.now()}`;
  await rename(outputDir, aside);
  try {
    await renameOnSameDevice(workDir, outputDir);
  } catch (error) {
    await rename(aside, outputDir);
    throw error;
  }
  // The new output is in place; a leftover old copy is only wasted space, not a failed transcode.
  await rm(aside, { recursive: true, force: true }).catch(() => undefined);
}

async function renameOnSameDevice(from: string, to: string): Promise<void> {
  try {
    await rename(from, to);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EXDEV") {
      throw new Error(`work folder ${from} and output folder ${to} must be on the same filesystem`);
    }
    throw error;
  }
}

/** Emptying the work folder must never touch the output, so neither may contain the other. */
function assertSeparateFolders(workDir: string, outputDir: string): void {
  const inside = (child: string, parent: string) => {
    const rel = relative(parent, child);
    return rel === "" || (!rel.startsWith("..") && !rel.startsWith("/"));
  };
  if (inside(workDir, outputDir) || inside(outputDir, workDir)) {
    throw new Error(`work folder ${workDir} and output folder ${outputDir} must not contain each other`);
  }
}
