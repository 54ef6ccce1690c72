/**
 * Copies a remote HLS ladder: the master playlist, every rendition playlist, init and media segment, and the
 * SHA-256 map, each segment checked against the origin's map before it is kept. The copy keeps the origin's file
 * names in one flat folder, so a player can take any file from the origin or the mirror by the same name.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { parseMediaPlaylist, parseAttributes } from "../transcoding/playlists.ts";
import { parseSegmentHashMap, sha256Hex, SEGMENT_HASHES_FILE, formatSegmentHashMap, type SegmentHashMap } from "../transcoding/hashes.ts";

/** Fetches a URL's body, refusing more than `maxBytes`; throws on a non-2xx answer. */
export type FetchBytes = (url: string, maxBytes: number) => Promise<Uint8Array>;

/** A ladder that cannot be mirrored as it is (names outside its folder, a segment missing from the map, ...). */
export class MirrorError extends Error {
  override name = "MirrorError";
}

/** A file name a mirror may hold: one path component, no leading dot. */
const FILE_NAME = /^[\w][\w.-]*$/;

const MAX_PLAYLIST_BYTES = 4 * 1_048_576;

/** The file names a master playlist refers to: variant playlists and EXT-X-MEDIA renditions. */
export function masterPlaylistFiles(text: string): string[] {
  const files: string[] = [];
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (line.startsWith("#EXT-X-MEDIA:")) {
      const uri = parseAttributes(line.slice("#EXT-X-MEDIA:".length)).get("URI");
      if (uri) files.push(uri);
    } else if (line && !line.startsWith("#")) {
      files.push(line);
    }
  }
  return [...new Set(files)];
}

function checkedName(name: string, where: string): string {
  if (!FILE_NAME.test(name)) throw new MirrorError(`${where} names ${JSON.stringify(name)}, which is not a file beside it`);
  return name;
}

/** What the copy holds: its total size and every file written. */
export interface CopiedLadder {
  readonly bytes: number;
  readonly files: readonly string[];
  readonly hashes: SegmentHashMap;
}

/**
 * Downloads the ladder at `masterUrl` into `targetDir`, at most `maxBytes` in all. Every init and media segment must
 * be listed in the map at `hashesUrl` and match it; the first mismatch stops the copy (the caller removes the folder).
 */
export async function copyHlsLadder(
  source: { masterUrl: string; hashesUrl: string },
  targetDir: string,
  fetchBytes: FetchBytes,
  maxBytes: number,
): Promise<CopiedLadder> {
  const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
  const sibling = (name: string) => new URL(name, source.masterUrl).href;
  await mkdir(targetDir, { recursive: true });
  const master = await fetchBytes(source.masterUrl, MAX_PLAYLIST_BYTES);
  const variants = masterPlaylistFiles(text(master)).map((name) => checkedName(name, "the master playlist"));
  if (variants.length === 0) throw new MirrorError("the master playlist lists no renditions");
  const hashes = parseSegmentHashMap(JSON.parse(text(await fetchBytes(source.hashesUrl, MAX_PLAYLIST_BYTES))));
  let bytes = master.byteLength;
  const files: string[] = ["master.m3u8"];
  const playlists = new Map<string, Uint8Array>();
  const media: string[] = [];
  for (const name of variants) {
    const body = await fetchBytes(sibling(name), MAX_PLAYLIST_BYTES);
    playlists.set(name, body);
    const parsed = parseMediaPlaylist(text(body));
    if (parsed.segments.length === 0) throw new MirrorError(`${name} lists no segments`);
    for (const file of [...(parsed.initSegment ? [parsed.initSegment] : []), ...parsed.segments.map((s) => s.uri)]) {
      media.push(checkedName(file, name));
    }
  }
  for (const name of [...new Set(media)]) {
    const expected = hashes[name];
    if (!expected) throw new MirrorError(`${name} is missing from the origin's SHA-256 map`);
    const body = await fetchBytes(sibling(name), Math.max(0, maxBytes - bytes));
    if (sha256Hex(body) !== expected) throw new MirrorError(`${name} does not match the origin's SHA-256 map`);
    await writeFile(join(targetDir, name), body);
    bytes += body.byteLength;
    files.push(name);
  }
  for (const [name, body] of playlists) {
    await writeFile(join(targetDir, name), body);
    bytes += body.byteLength;
    files.push(name);
  }
  // The master is stored under our own name for it whatever the origin called it, so mirrors share one layout.
  await writeFile(join(targetDir, "master.m3u8"), master);
  const map = formatSegmentHashMap(hashes);
  await writeFile(join(targetDir, SEGMENT_HASHES_FILE), map);
  files.push(SEGMENT_HASHES_FILE);
  return { bytes: bytes + map.length, files, hashes };
}
