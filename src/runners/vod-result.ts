/**
 * Checking and installing a VOD ladder a runner uploaded. Nothing a runner sends is trusted: file names must be
 * the ladder's, every segment must be a whole fMP4 box sequence, each rendition playlist must probe to the
 * expected picture size and the source's duration, and the master playlist's attributes and the SHA-256 map are
 * computed here from the files. Only then does the folder replace the video's output, with renames.
 */
import { mkdir, rm, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { AUDIO_RENDITION, MASTER_PLAYLIST, initSegmentName } from "../transcoding/args.ts";
import { readProcessText } from "../transcoding/ffmpeg.ts";
import { chooseRenditions, type LadderConfig } from "../transcoding/ladder.ts";
import { parseMediaPlaylist } from "../transcoding/playlists.ts";
import type { MediaProbe } from "../transcoding/probe.ts";
import { DOWNLOAD_FILE, HLS_DIR, PREVIEW_FILE, THUMBNAIL_FILE, finishHlsFolder, moveIntoPlace, type VodOutput } from "../transcoding/vod.ts";

/** The upload is not an acceptable result; the message says what is wrong, for the runner and the job's history. */
export class ResultError extends Error {
  override name = "ResultError";
}

export interface ResultFile {
  /** Path relative to the video folder, e.g. `hls/360p-0001.m4s`. */
  readonly name: string;
  readonly bytes: Uint8Array;
}

/** The names a ladder of these renditions may contain, as a test per name. */
export function expectedRenditionNames(probe: MediaProbe, ladder: LadderConfig): string[] {
  const renditions = chooseRenditions(probe, ladder);
  return renditions.length ? renditions.map((r) => r.name) : [AUDIO_RENDITION];
}

/** Checks an upload's file names against the expected renditions; throws ResultError naming the first problem. */
export function checkResultNames(names: readonly string[], renditions: readonly string[]): void {
  const seen = new Set<string>();
  const playlistsAndInits = renditions.flatMap((r) => [`${HLS_DIR}/${r}.m3u8`, `${HLS_DIR}/${initSegmentName(r)}`]);
  const fixed = new Set([`${HLS_DIR}/${MASTER_PLAYLIST}`, THUMBNAIL_FILE, PREVIEW_FILE, DOWNLOAD_FILE, ...playlistsAndInits]);
  const escaped = renditions.map((r) => r.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
  const segment = new RegExp(`^${HLS_DIR}/(?:${escaped.join("|")})-\\d{4,6}\\.m4s$`);
  const allowed = { test: (name: string) => fixed.has(name) || segment.test(name) };
  for (const name of names) {
    if (!allowed.test(name)) throw new ResultError(`unexpected file ${JSON.stringify(name.slice(0, 100))} in the result`);
    if (seen.has(name)) throw new ResultError(`file ${name} sent twice`);
    seen.add(name);
  }
  for (const required of [`${HLS_DIR}/${MASTER_PLAYLIST}`, ...playlistsAndInits]) {
    if (!seen.has(required)) throw new ResultError(`the result lacks ${required}`);
  }
}

/**
 * The types of the top-level ISO BMFF boxes of a file, or null when the sizes do not chain exactly to the end
 * (a truncated or padded segment).
 */
export function topLevelBoxes(bytes: Uint8Array): string[] | null {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const types: string[] = [];
  let offset = 0;
  while (offset < bytes.length) {
    if (offset + 8 > bytes.length) return null;
    let size = view.getUint32(offset);
    const type = String.fromCharCode(...bytes.subarray(offset + 4, offset + 8));
    if (size === 1) {
      if (offset + 16 > bytes.length) return null;
      size = Number(view.getBigUint64(offset + 8));
    } else if (size === 0) {
      size = bytes.length - offset;
    }
    if (size < 8 || offset + size > bytes.length) return null;
    types.push(type);
    offset += size;
  }
  return types;
}

/** Checks one rendition's playlist, init segment and segments as uploaded; returns how many segments it lists. */
export function checkRenditionFiles(rendition: string, files: ReadonlyMap<string, Uint8Array>): number {
  const text = new TextDecoder().decode(files.get(`${HLS_DIR}/${rendition}.m3u8`)!);
  if (!text.startsWith("#EXTM3U") || !text.includes("#EXT-X-ENDLIST")) throw new ResultError(`${rendition}.m3u8 is not a complete VOD playlist`);
  const playlist = parseMediaPlaylist(text);
  if (playlist.initSegment !== initSegmentName(rendition)) throw new ResultError(`${rendition}.m3u8 names another init segment`);
  if (!playlist.segments.length) throw new ResultError(`${rendition}.m3u8 lists no segment`);
  const init = topLevelBoxes(files.get(`${HLS_DIR}/${playlist.initSegment}`)!);
  if (!init?.includes("ftyp") || !init.includes("moov")) throw new ResultError(`${playlist.initSegment} is not a complete init segment`);
  for (const segment of playlist.segments) {
    const bytes = files.get(`${HLS_DIR}/${segment.uri}`);
    if (!bytes) throw new ResultError(`${rendition}.m3u8 lists ${segment.uri.slice(0, 100)}, which was not sent`);
    const boxes = topLevelBoxes(bytes);
    if (!boxes?.includes("moof") || !boxes.includes("mdat")) throw new ResultError(`${segment.uri} is truncated or not an fMP4 segment`);
  }
  const listed = new Set(playlist.segments.map((s) => s.uri));
  for (const name of files.keys()) {
    const file = name.slice(HLS_DIR.length + 1);
    if (name.startsWith(`${HLS_DIR}/${rendition}-`) && file.endsWith(".m4s") && !listed.has(file)) {
      throw new ResultError(`${file} was sent but no playlist lists it`);
    }
  }
  return playlist.segments.length;
}

/** ffprobe arguments that give a playlist's streams' sizes and its duration as JSON. */
export function resultProbeArgs(path: string): string[] {
  return [
    "-hide_banner", "-loglevel", "error", "-protocol_whitelist", "file",
    "-show_entries", "stream=codec_type,width,height:format=duration", "-print_format", "json", path,
  ];
}

interface PlaylistProbe {
  readonly width: number | null;
  readonly height: number | null;
  readonly durationSeconds: number;
}

async function probePlaylist(path: string, ffprobePath = "ffprobe"): Promise<PlaylistProbe> {
  const proc = Bun.spawn([ffprobePath, ...resultProbeArgs(path)], { stdin: "ignore", stdout: "pipe", stderr: "pipe", timeout: 60_000 });
  const [code, stdout, stderr] = await Promise.all([proc.exited, readProcessText(proc.stdout), readProcessText(proc.stderr)]);
  if (code !== 0) throw new ResultError(`ffprobe cannot read ${path.split("/").pop()}: ${stderr.trim().split("\n").pop()?.slice(0, 200) ?? ""}`);
  const json = JSON.parse(stdout) as { streams?: { codec_type?: string; width?: number; height?: number }[]; format?: { duration?: string } };
  const video = json.streams?.find((s) => s.codec_type === "video");
  return { width: video?.width ?? null, height: video?.height ?? null, durationSeconds: Number(json.format?.duration ?? 0) };
}

export interface InstallVodResultOptions {
  readonly files: readonly ResultFile[];
  /** The source as this instance probed it, and the ladder it asked for. */
  readonly probe: MediaProbe;
  readonly ladder: LadderConfig;
  /** Scratch folder for this result (emptied first, removed on failure); same filesystem as outputDir. */
  readonly workDir: string;
  readonly outputDir: string;
  readonly ffprobePath?: string;
}

/** Validates an uploaded ladder and puts it in place; throws ResultError (leaving nothing behind) when it is not acceptable. */
export async function installVodResult(options: InstallVodResultOptions): Promise<VodOutput> {
  const renditionNames = expectedRenditionNames(options.probe, options.ladder);
  checkResultNames(options.files.map((f) => f.name), renditionNames);
  const files = new Map(options.files.map((f) => [f.name, f.bytes]));
  for (const r of renditionNames) checkRenditionFiles(r, files);
  const master = new TextDecoder().decode(files.get(`${HLS_DIR}/${MASTER_PLAYLIST}`)!);
  const variants = master.split("\n").map((l) => l.trim()).filter((l) => l && !l.startsWith("#"));
  if (variants.sort().join() !== renditionNames.map((r) => `${r}.m3u8`).sort().join()) throw new ResultError("master.m3u8 does not list exactly the expected renditions");
  for (const image of [THUMBNAIL_FILE, PREVIEW_FILE]) {
    const bytes = files.get(image);
    if (bytes && !(bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff)) throw new ResultError(`${image} is not a JPEG`);
  }
  await rm(options.workDir, { recursive: true, force: true });
  try {
    for (const [name, bytes] of files) {
      await mkdir(dirname(join(options.workDir, name)), { recursive: true });
      await writeFile(join(options.workDir, name), bytes);
    }
    const hlsDir = join(options.workDir, HLS_DIR);
    const renditions = chooseRenditions(options.probe, options.ladder);
    await checkProbes(hlsDir, renditionNames, renditions, options);
    const outputs = await finishHlsFolder(hlsDir, options.probe, renditions, options.ladder);
    await moveIntoPlace(options.workDir, options.outputDir);
    const has = (name: string) => files.has(name);
    return {
      outputDir: options.outputDir,
      masterPlaylist: join(HLS_DIR, MASTER_PLAYLIST),
      segmentHashes: join(HLS_DIR, "segments-sha256.json"),
      renditions: outputs,
      thumbnail: has(THUMBNAIL_FILE) && has(PREVIEW_FILE) ? THUMBNAIL_FILE : null,
      preview: has(THUMBNAIL_FILE) && has(PREVIEW_FILE) ? PREVIEW_FILE : null,
      download: has(DOWNLOAD_FILE) ? DOWNLOAD_FILE : null,
      durationSeconds: options.probe.durationSeconds,
      audioOnly: renditions.length === 0,
    };
  } catch (error) {
    await rm(options.workDir, { recursive: true, force: true });
    throw error;
  }
}

/** Each rendition must decode to its planned size and last as long as the source (within a segment). */
async function checkProbes(
  hlsDir: string,
  names: readonly string[],
  renditions: ReturnType<typeof chooseRenditions>,
  options: InstallVodResultOptions,
): Promise<void> {
  const slack = options.ladder.segmentSeconds + 1;
  // All at once: each ffprobe mostly waits on its own start-up and reads, and the runner's upload waits on them.
  const probes = await Promise.all(names.map((name) => probePlaylist(join(hlsDir, `${name}.m3u8`), options.ffprobePath)));
  for (const [i, name] of names.entries()) {
    const probe = probes[i]!;
    const planned = renditions[i];
    if (planned && (probe.width !== planned.width || probe.height !== planned.height)) {
      throw new ResultError(`${name} is ${probe.width}x${probe.height}, expected ${planned.width}x${planned.height}`);
    }
    if (Math.abs(probe.durationSeconds - options.probe.durationSeconds) > slack) {
      throw new ResultError(`${name} lasts ${probe.durationSeconds.toFixed(1)} s, the source ${options.probe.durationSeconds.toFixed(1)} s`);
    }
  }
}
