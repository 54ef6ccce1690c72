/**
 * The SHA-256 map of a live session, kept up to date while ffmpeg writes segments. Same file and format as
 * VOD (`segments-sha256.json`, see src/transcoding/hashes.ts): P2P players check every segment a peer sends
 * against it, and re-fetch it when a segment is missing (a live playlist grows after they fetched the map).
 *
 * The watcher polls rather than using fs.watch: inotify events are coalesced or lost under load and not
 * delivered at all on some network file systems, while a poll every 250 ms costs one readdir and one stat
 * per playlist.
 */
import { readdir, stat } from "node:fs/promises";
import { basename, join } from "node:path";
import { formatSegmentHashMap, sha256Hex, writeSegmentHashMap } from "../transcoding/hashes.ts";
import { parseMediaPlaylist } from "../transcoding/playlists.ts";
import { isReplayPlaylist } from "./replay-args.ts";
import { LIVE_MASTER_PLAYLIST } from "./transcode-args.ts";

export const DEFAULT_WATCH_INTERVAL_MS = 250;
/** Segments kept in the map after they left their playlist; the lead passes 2 x the playlist window. */
export const DEFAULT_KEEP_SEGMENTS = 12;

export interface LiveSegmentWatcher {
  /** Runs one pass now (after any pass under way): hashes new segments, drops old ones, rewrites the map if it changed. */
  sync(): Promise<void>;
  /** The map as of the last pass: segment file name -> lowercase hex SHA-256. */
  current(): Record<string, string>;
  /** Stops polling after a last pass. */
  stop(): Promise<void>;
}

export interface WatchLiveSegmentsOptions {
  /** The live session folder holding the playlists and segments. */
  readonly dir: string;
  readonly intervalMs?: number;
  /**
   * How many segments behind the start of its playlist's window an entry stays in the map: viewers holding
   * a slightly older playlist, and peers, still fetch segments that just left it (ffmpeg's delete_segments
   * keeps them on disk a little longer too).
   */
  readonly keep?: number;
  /** A failed background pass (the next one retries); sync() rejects instead. */
  readonly onError?: (error: unknown) => void;
}

interface PlaylistState {
  /** inode, size and mtime: ffmpeg replaces a playlist by rename, so any rewrite changes one of them. */
  readonly signature: string;
  readonly text: string;
  readonly mediaSequence: number;
  readonly segments: readonly string[];
}

interface Entry {
  readonly hash: string;
  readonly playlist: string;
  readonly sequence: number;
}

/** Starts polling `dir`; the first pass runs after intervalMs (call sync() for one now). */
export function watchLiveSegments(o: WatchLiveSegmentsOptions): LiveSegmentWatcher {
  const intervalMs = o.intervalMs ?? DEFAULT_WATCH_INTERVAL_MS;
  const keep = o.keep ?? DEFAULT_KEEP_SEGMENTS;
  const playlists = new Map<string, PlaylistState>();
  const entries = new Map<string, Entry>();
  let written: string | null = null;
  let running: Promise<void> = Promise.resolve();
  let timer: ReturnType<typeof setTimeout> | null = null;
  let stopped = false;

  async function pass(): Promise<void> {
    const names = await playlistNames(o.dir);
    if (names === null) return;
    const changed = await refreshPlaylists(o.dir, names, playlists);
    if (!changed) return;
    const failed = await hashNewSegments(o.dir, playlists, entries);
    // Re-read next pass: a listed segment we could not read is retried rather than forgotten.
    for (const name of failed) playlists.set(name, { ...playlists.get(name)!, signature: "", text: "" });
    evictOldEntries(playlists, entries, keep);
    const map = mapOf(entries);
    const content = formatSegmentHashMap(map);
    if (content === written) return;
    await writeSegmentHashMap(o.dir, map);
    written = content;
  }

  function sync(): Promise<void> {
    const next = running.then(pass);
    running = next.catch(() => {});
    return next;
  }

  function schedule(): void {
    if (stopped) return;
    timer = setTimeout(async () => {
      await sync().catch((error) => o.onError?.(error));
      schedule();
    }, intervalMs);
    // Polling alone must not keep a process alive (a test or a CLI that forgot stop()).
    timer.unref?.();
  }

  schedule();
  return {
    sync,
    current: () => mapOf(entries),
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await sync();
    },
  };
}

/** Live media playlists in the folder, or null when the folder does not exist yet (ffmpeg not started). */
async function playlistNames(dir: string): Promise<string[] | null> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw error;
  }
  return names.filter((n) => n.endsWith(".m3u8") && n !== LIVE_MASTER_PLAYLIST && !isReplayPlaylist(n) && !n.startsWith(".")).sort();
}

/** Re-reads playlists whose file changed; true when any playlist appeared, changed or disappeared. */
async function refreshPlaylists(dir: string, names: readonly string[], playlists: Map<string, PlaylistState>): Promise<boolean> {
  let changed = false;
  for (const name of [...playlists.keys()]) {
    if (!names.includes(name)) {
      playlists.delete(name);
      changed = true;
    }
  }
  for (const name of names) {
    const path = join(dir, name);
    let signature: string;
    let text: string;
    try {
      const info = await stat(path);
      signature = `${info.ino}:${info.size}:${info.mtimeMs}`;
      if (playlists.get(name)?.signature === signature) continue;
      text = await Bun.file(path).text();
    } catch (error) {
      // Replaced or removed between readdir and read: the next pass sees the new state.
      if ((error as NodeJS.ErrnoException).code === "ENOENT") continue;
      throw error;
    }
    const previous = playlists.get(name);
    if (previous?.text === text) {
      playlists.set(name, { ...previous, signature });
      continue;
    }
    const segments = parseMediaPlaylist(text).segments.map((s) => s.uri).filter((uri) => !uri.includes("://"));
    playlists.set(name, { signature, text, mediaSequence: mediaSequenceOf(text), segments });
    changed = true;
  }
  return changed;
}

/** Hashes listed segments not hashed before; returns the playlists with a segment that could not be read. */
async function hashNewSegments(dir: string, playlists: ReadonlyMap<string, PlaylistState>, entries: Map<string, Entry>): Promise<string[]> {
  const failed: string[] = [];
  for (const [playlist, state] of playlists) {
    for (const [index, uri] of state.segments.entries()) {
      const name = basename(uri);
      if (entries.has(name)) continue;
      let bytes: ArrayBuffer;
      try {
        // Listed means complete: ffmpeg adds a segment to the playlist after renaming it from `.tmp`.
        bytes = await Bun.file(join(dir, name)).arrayBuffer();
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
        failed.push(playlist);
        continue;
      }
      entries.set(name, { hash: sha256Hex(bytes), playlist, sequence: state.mediaSequence + index });
    }
  }
  return failed;
}

/** Drops entries no playlist lists any more once they are more than `keep` segments behind their playlist's window. */
function evictOldEntries(playlists: ReadonlyMap<string, PlaylistState>, entries: Map<string, Entry>, keep: number): void {
  const listed = new Set<string>();
  for (const state of playlists.values()) for (const uri of state.segments) listed.add(basename(uri));
  for (const [name, entry] of entries) {
    if (listed.has(name)) continue;
    const owner = playlists.get(entry.playlist);
    if (!owner || entry.sequence < owner.mediaSequence - keep) entries.delete(name);
  }
}

/** EXT-X-MEDIA-SEQUENCE: the sequence number of the playlist's first segment (0 when absent, RFC 8216 4.3.3.2). */
export function mediaSequenceOf(playlist: string): number {
  const match = /^#EXT-X-MEDIA-SEQUENCE:(\d+)\s*$/m.exec(playlist);
  return match ? Number(match[1]) : 0;
}

function mapOf(entries: ReadonlyMap<string, Entry>): Record<string, string> {
  const map: Record<string, string> = {};
  for (const [name, entry] of entries) map[name] = entry.hash;
  return map;
}
