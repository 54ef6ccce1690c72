import { afterAll, describe, expect, test } from "bun:test";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isReplayPlaylist, keptSegments, replayPlaylist, replayPlaylistName, replayRemuxArgs } from "../../../src/live/replay-args.ts";

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

describe("replayRemuxArgs", () => {
  test("stream copy of an HLS playlist into a fast-start MP4, AAC repacked for MP4", () => {
    expect(replayRemuxArgs({ playlist: "/live/s/replay-720p.m3u8", output: "/tmp/replay.mp4" })).toEqual([
      "-hide_banner", "-loglevel", "error", "-nostdin", "-y",
      "-protocol_whitelist", "file",
      "-f", "hls",
      "-i", "/live/s/replay-720p.m3u8",
      "-map", "0:v:0?",
      "-map", "0:a:0?",
      "-c", "copy",
      "-bsf:a", "aac_adtstoasc",
      "-map_metadata", "-1",
      "-movflags", "+faststart",
      "/tmp/replay.mp4",
    ]);
  });
});

describe("replayPlaylist", () => {
  test("a VOD playlist listing every segment in order, ended", () => {
    expect(replayPlaylist(["720p-00000.ts", "720p-00001.ts"], 4)).toBe(
      [
        "#EXTM3U",
        "#EXT-X-VERSION:3",
        "#EXT-X-TARGETDURATION:4",
        "#EXT-X-MEDIA-SEQUENCE:0",
        "#EXT-X-PLAYLIST-TYPE:VOD",
        "#EXTINF:4.000,",
        "720p-00000.ts",
        "#EXTINF:4.000,",
        "720p-00001.ts",
        "#EXT-X-ENDLIST",
        "",
      ].join("\n"),
    );
  });

  test("refuses an empty list", () => {
    expect(() => replayPlaylist([], 1)).toThrow(/no segments/);
  });

  test("replay playlist names are recognisable", () => {
    expect(replayPlaylistName("720p")).toBe("replay-720p.m3u8");
    expect(isReplayPlaylist("replay-720p.m3u8")).toBe(true);
    expect(isReplayPlaylist("720p.m3u8")).toBe(false);
  });
});

describe("keptSegments", () => {
  test("one rendition's complete segments, by sequence number", async () => {
    const dir = await mkdtemp(join(tmpdir(), "tubelet-replay-"));
    dirs.push(dir);
    const files = ["720p-00010.ts", "720p-00002.ts", "720p-100000.ts", "720p-00003.ts.tmp", "360p-00001.ts", "720p.m3u8", "720p-x-00001.ts", "master.m3u8"];
    await Promise.all(files.map((f) => writeFile(join(dir, f), "x")));
    expect(await keptSegments(dir, "720p")).toEqual(["720p-00002.ts", "720p-00010.ts", "720p-100000.ts"]);
    expect(await keptSegments(dir, "360p")).toEqual(["360p-00001.ts"]);
    expect(await keptSegments(dir, "1080p")).toEqual([]);
  });
});
