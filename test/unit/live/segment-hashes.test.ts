import { afterAll, describe, expect, test } from "bun:test";
import { createHash } from "node:crypto";
import { mkdtemp, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { mediaSequenceOf, watchLiveSegments } from "../../../src/live/segment-hashes.ts";
import { formatSegmentHashMap } from "../../../src/transcoding/hashes.ts";

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "tubelet-live-hashes-"));
  dirs.push(dir);
  return dir;
}

function sha256(bytes: string | Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/** A live media playlist as ffmpeg writes it, replaced by rename like ffmpeg does. */
async function writePlaylist(dir: string, name: string, firstSequence: number, segments: string[]): Promise<void> {
  const lines = ["#EXTM3U", "#EXT-X-VERSION:6", "#EXT-X-TARGETDURATION:1", `#EXT-X-MEDIA-SEQUENCE:${firstSequence}`];
  for (const s of segments) lines.push("#EXTINF:1.000000,", "#EXT-X-PROGRAM-DATE-TIME:2026-01-01T00:00:00.000+0000", s);
  await writeFile(join(dir, `${name}.tmp`), `${lines.join("\n")}\n`);
  await rename(join(dir, `${name}.tmp`), join(dir, name));
}

async function writeSegment(dir: string, name: string): Promise<string> {
  const content = `segment ${name} ${Math.random()}`;
  await writeFile(join(dir, name), content);
  return sha256(content);
}

async function mapOnDisk(dir: string): Promise<unknown> {
  return JSON.parse(await readFile(join(dir, "segments-sha256.json"), "utf8"));
}

/** Sequence number n of a rendition: `720p-00012.ts`. */
function seg(rendition: string, n: number): string {
  return `${rendition}-${String(n).padStart(5, "0")}.ts`;
}

describe("watchLiveSegments", () => {
  test("hashes listed segments of every rendition, skipping master, replay and temporary files", async () => {
    const dir = await tempDir();
    const watcher = watchLiveSegments({ dir, intervalMs: 60_000 });
    try {
      const expected: Record<string, string> = {};
      for (const r of ["360p", "720p"]) for (const n of [0, 1]) expected[seg(r, n)] = await writeSegment(dir, seg(r, n));
      await writeSegment(dir, seg("720p", 2) + ".tmp");
      await writePlaylist(dir, "360p.m3u8", 0, [seg("360p", 0), seg("360p", 1)]);
      await writePlaylist(dir, "720p.m3u8", 0, [seg("720p", 0), seg("720p", 1)]);
      await writeFile(join(dir, "master.m3u8"), "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\n720p.m3u8\n");
      await writePlaylist(dir, "replay-720p.m3u8", 0, ["old-00000.ts"]);
      await watcher.sync();
      expect(watcher.current()).toEqual(expected);
      expect(await mapOnDisk(dir)).toEqual(expected);
      expect(await readFile(join(dir, "segments-sha256.json"), "utf8")).toBe(formatSegmentHashMap(expected));
    } finally {
      await watcher.stop();
    }
  });

  test("new segments appear; segments that left every playlist go once more than `keep` behind", async () => {
    const dir = await tempDir();
    const watcher = watchLiveSegments({ dir, intervalMs: 60_000, keep: 1 });
    try {
      const hashes: string[] = [];
      for (let n = 0; n < 6; n++) hashes.push(await writeSegment(dir, seg("720p", n)));
      const window = (first: number) => [first, first + 1, first + 2].map((n) => seg("720p", n));
      await writePlaylist(dir, "720p.m3u8", 0, window(0));
      await watcher.sync();
      expect(Object.keys(watcher.current()).sort()).toEqual(window(0));

      await writePlaylist(dir, "720p.m3u8", 1, window(1));
      await watcher.sync();
      // Segment 0 left the window but is only 1 behind it: peers may still ask for it.
      expect(Object.keys(watcher.current()).sort()).toEqual([seg("720p", 0), ...window(1)]);

      await writePlaylist(dir, "720p.m3u8", 3, window(3));
      await watcher.sync();
      expect(watcher.current()).toEqual({ [seg("720p", 2)]: hashes[2]!, [seg("720p", 3)]: hashes[3]!, [seg("720p", 4)]: hashes[4]!, [seg("720p", 5)]: hashes[5]! });
      expect(await mapOnDisk(dir)).toEqual(watcher.current());
    } finally {
      await watcher.stop();
    }
  });

  test("never re-hashes a segment, and does not rewrite the map when nothing changed", async () => {
    const dir = await tempDir();
    const watcher = watchLiveSegments({ dir, intervalMs: 60_000 });
    try {
      const hash = await writeSegment(dir, seg("720p", 0));
      await writePlaylist(dir, "720p.m3u8", 0, [seg("720p", 0)]);
      await watcher.sync();
      const before = await stat(join(dir, "segments-sha256.json"));
      // A segment never changes once listed; if it did, the map would keep the first hash (no second read).
      await writeFile(join(dir, seg("720p", 0)), "changed");
      await watcher.sync();
      // Same playlist text in a new file (new inode and mtime): read again, but the map stays the same file.
      await writePlaylist(dir, "720p.m3u8", 0, [seg("720p", 0)]);
      await watcher.sync();
      const after = await stat(join(dir, "segments-sha256.json"));
      expect(watcher.current()).toEqual({ [seg("720p", 0)]: hash });
      expect(after.ino).toBe(before.ino);
      expect(after.mtimeMs).toBe(before.mtimeMs);
    } finally {
      await watcher.stop();
    }
  });

  test("a folder that does not exist yet is not an error; a listed segment not readable yet is retried", async () => {
    const dir = join(await tempDir(), "session");
    const watcher = watchLiveSegments({ dir, intervalMs: 60_000 });
    try {
      await watcher.sync();
      expect(watcher.current()).toEqual({});
      await Bun.write(join(dir, "audio.m3u8"), "#EXTM3U\n#EXTINF:1,\naudio-00000.ts\n");
      await watcher.sync();
      expect(watcher.current()).toEqual({});
      const hash = await writeSegment(dir, "audio-00000.ts");
      await watcher.sync();
      expect(watcher.current()).toEqual({ "audio-00000.ts": hash });
    } finally {
      await watcher.stop();
    }
  });

  test("polls on its own, and the map is valid JSON at every moment while it is rewritten", async () => {
    const dir = await tempDir();
    const watcher = watchLiveSegments({ dir, intervalMs: 5, keep: 2 });
    let reads = 0;
    let writing = true;
    const reader = (async () => {
      while (writing) {
        let text: string;
        try {
          text = await readFile(join(dir, "segments-sha256.json"), "utf8");
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code === "ENOENT") { await Bun.sleep(0); continue; }
          throw error;
        }
        const parsed = JSON.parse(text); // throws on a half-written file
        expect(typeof parsed).toBe("object");
        reads++;
      }
    })();
    const expected: Record<string, string> = {};
    try {
      for (let n = 0; n < 60; n++) {
        expected[seg("720p", n)] = await writeSegment(dir, seg("720p", n));
        const first = Math.max(0, n - 2);
        await writePlaylist(dir, "720p.m3u8", first, Array.from({ length: n - first + 1 }, (_, i) => seg("720p", first + i)));
        await Bun.sleep(2);
      }
      // The timer, not sync(), catches up with the last playlist.
      const deadline = Date.now() + 5_000;
      while (!(seg("720p", 59) in watcher.current()) && Date.now() < deadline) await Bun.sleep(5);
      expect(Object.keys(watcher.current()).sort()).toEqual([55, 56, 57, 58, 59].map((n) => seg("720p", n)));
    } finally {
      writing = false;
      await reader;
      await watcher.stop();
    }
    expect(reads).toBeGreaterThan(10);
    for (const [name, hash] of Object.entries(await mapOnDisk(dir) as Record<string, string>)) expect(hash).toBe(expected[name]!);
  });
});

describe("mediaSequenceOf", () => {
  test("reads EXT-X-MEDIA-SEQUENCE, 0 when absent", () => {
    expect(mediaSequenceOf("#EXTM3U\n#EXT-X-MEDIA-SEQUENCE:42\n#EXTINF:1,\na.ts\n")).toBe(42);
    expect(mediaSequenceOf("#EXTM3U\n#EXTINF:1,\na.ts\n")).toBe(0);
  });
});
