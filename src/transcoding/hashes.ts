/**
 * The segment integrity map, `segments-sha256.json`, which P2P players check every segment received
 * from a peer against.
 *
 * Format: one flat object mapping a file name (relative to the HLS folder, as the playlists name it)
 * to the lowercase hex SHA-256 of the whole file:
 *
 *   { "240p-init.mp4": "9f86d0…", "240p-0000.m4s": "2c26b4…", "720p-0000.m4s": "fcde2b…" }
 *
 * This is PeerTube's format for one-file-per-segment HLS (its live streams): PeerTube's player looks up
 * `json[basename(segmentUrl)]` and accepts either a string (whole file) or an object keyed by byte
 * range (its VOD files, one fMP4 per rendition addressed with byte ranges). Our VOD writes one file
 * per segment, so the string form applies and PeerTube players validate our segments unchanged.
 * File names are unique across renditions because each starts with its rendition's name.
 * Init segments are included too; a player that only checks media segments ignores them.
 */
import { rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { parseMediaPlaylist } from "./playlists.ts";

export const SEGMENT_HASHES_FILE = "segments-sha256.json";

/** File name -> lowercase hex SHA-256. */
export type SegmentHashMap = Readonly<Record<string, string>>;

/** Lowercase hex SHA-256 of some bytes. */
export function sha256Hex(bytes: Uint8Array | ArrayBuffer): string {
  return new Bun.CryptoHasher("sha256").update(bytes).digest("hex");
}

/** Serializes a map with sorted keys, so the same files always give the same bytes. */
export function formatSegmentHashMap(map: SegmentHashMap): string {
  const sorted = Object.fromEntries(Object.keys(map).sort().map((key) => [key, map[key]!]));
  return `${JSON.stringify(sorted, null, 2)}\n`;
}

/** Validates JSON read back (from disk or a remote instance); throws on anything but name -> 64 hex digits. */
export function parseSegmentHashMap(json: unknown): SegmentHashMap {
  if (!json || typeof json !== "object" || Array.isArray(json)) throw new Error("segment hash map must be a JSON object");
  const map: Record<string, string> = {};
  for (const [name, hash] of Object.entries(json)) {
    if (name.includes("/") || name.includes("\\") || name === "" || name.startsWith(".")) {
      throw new Error(`segment hash map: invalid file name ${JSON.stringify(name)}`);
    }
    if (typeof hash !== "string" || !/^[0-9a-f]{64}$/.test(hash)) {
      throw new Error(`segment hash map: ${name} must map to 64 lowercase hex digits`);
    }
    map[name] = hash;
  }
  return map;
}

/** Every file the given rendition playlists reference (init segments first), in playlist order. */
export function referencedFiles(playlists: readonly string[]): string[] {
  const files: string[] = [];
  for (const text of playlists) {
    const playlist = parseMediaPlaylist(text);
    if (playlist.initSegment) files.push(playlist.initSegment);
    files.push(...playlist.segments.map((s) => s.uri));
  }
  return [...new Set(files)];
}

/** Hashes every init and media segment referenced by the rendition playlists in `hlsDir`. */
export async function hashSegments(hlsDir: string, playlistNames: readonly string[]): Promise<SegmentHashMap> {
  const playlists = await Promise.all(playlistNames.map((name) => Bun.file(join(hlsDir, name)).text()));
  const map: Record<string, string> = {};
  // One file at a time: segments are a few MB each and a ladder has thousands for a long video.
  for (const file of referencedFiles(playlists)) {
    map[file] = sha256Hex(await Bun.file(join(hlsDir, file)).arrayBuffer());
  }
  return map;
}

/** Writes the map beside the playlists atomically (temporary file, then rename), so readers never see half a file. */
export async function writeSegmentHashMap(hlsDir: string, map: SegmentHashMap): Promise<string> {
  const target = join(hlsDir, SEGMENT_HASHES_FILE);
  const temporary = `${target}.${process.pid}.${Date.now()}.tmp`;
  await writeFile(temporary, formatSegmentHashMap(map));
  await rename(temporary, target);
  return target;
}
