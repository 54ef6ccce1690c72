import { afterAll, describe, expect, test } from "bun:test";
import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  SEGMENT_HASHES_FILE,
  formatSegmentHashMap,
  hashSegments,
  parseSegmentHashMap,
  referencedFiles,
  sha256Hex,
  writeSegmentHashMap,
} from "../../../src/transcoding/hashes.ts";

const HELLO_SHA256 = "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824";
const EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

describe("segment hash map format", () => {
  test("flat { file name: lowercase hex sha256 } with sorted keys", () => {
    const json = formatSegmentHashMap({ "720p-0000.m4s": HELLO_SHA256, "240p-init.mp4": EMPTY_SHA256 });
    expect(json).toBe(`{\n  "240p-init.mp4": "${EMPTY_SHA256}",\n  "720p-0000.m4s": "${HELLO_SHA256}"\n}\n`);
    expect(parseSegmentHashMap(JSON.parse(json))).toEqual({ "240p-init.mp4": EMPTY_SHA256, "720p-0000.m4s": HELLO_SHA256 });
  });

  test("sha256Hex is the standard digest", () => {
    expect(sha256Hex(new TextEncoder().encode("hello"))).toBe(HELLO_SHA256);
  });

  test("parse rejects paths, bad digests and non-objects", () => {
    expect(() => parseSegmentHashMap({ "../etc/passwd": HELLO_SHA256 })).toThrow(/invalid file name/);
    expect(() => parseSegmentHashMap({ "a/b.m4s": HELLO_SHA256 })).toThrow(/invalid file name/);
    expect(() => parseSegmentHashMap({ "a.m4s": HELLO_SHA256.toUpperCase() })).toThrow(/64 lowercase hex/);
    expect(() => parseSegmentHashMap({ "a.m4s": { "0-100": HELLO_SHA256 } })).toThrow(/64 lowercase hex/);
    expect(() => parseSegmentHashMap([HELLO_SHA256])).toThrow(/JSON object/);
    expect(() => parseSegmentHashMap(null)).toThrow(/JSON object/);
  });

  test("referencedFiles lists init segments and media segments of every playlist once", () => {
    const playlist = (name: string) =>
      `#EXTM3U\n#EXT-X-MAP:URI="${name}-init.mp4"\n#EXTINF:4.0,\n${name}-0000.m4s\n#EXTINF:1.5,\n${name}-0001.m4s\n#EXT-X-ENDLIST\n`;
    expect(referencedFiles([playlist("240p"), playlist("720p"), playlist("240p")])).toEqual([
      "240p-init.mp4", "240p-0000.m4s", "240p-0001.m4s", "720p-init.mp4", "720p-0000.m4s", "720p-0001.m4s",
    ]);
  });
});

describe("hashing files on disk", () => {
  test("hashes what the playlists reference and writes the map atomically", async () => {
    const dir = await mkdtemp(join(tmpdir(), "tubelet-hashes-"));
    dirs.push(dir);
    await writeFile(join(dir, "a.m3u8"), `#EXTM3U\n#EXT-X-MAP:URI="a-init.mp4"\n#EXTINF:4.0,\na-0000.m4s\n#EXT-X-ENDLIST\n`);
    await writeFile(join(dir, "a-init.mp4"), "");
    await writeFile(join(dir, "a-0000.m4s"), "hello");
    await writeFile(join(dir, "stray.m4s"), "not referenced");
    const map = await hashSegments(dir, ["a.m3u8"]);
    expect(map).toEqual({ "a-init.mp4": EMPTY_SHA256, "a-0000.m4s": HELLO_SHA256 });
    const path = await writeSegmentHashMap(dir, map);
    expect(path).toBe(join(dir, SEGMENT_HASHES_FILE));
    expect(parseSegmentHashMap(await Bun.file(path).json())).toEqual(map);
    expect((await readdir(dir)).filter((f) => f.endsWith(".tmp"))).toEqual([]);
  });
});
