/** The runner protocol's pure checks: which result files a ladder may contain, fMP4 box chains, live files, URLs. */
import { describe, expect, test } from "bun:test";
import { ResultError, checkResultNames, topLevelBoxes } from "../../src/runners/vod-result.ts";
import { checkLiveFile } from "../../src/runners/live-feeds.ts";
import { onInstance } from "../../src/runners/client.ts";
import { HttpError } from "../../src/http/errors.ts";

const box = (type: string, payload = 0) => {
  const bytes = new Uint8Array(8 + payload);
  new DataView(bytes.buffer).setUint32(0, 8 + payload);
  bytes.set(new TextEncoder().encode(type), 4);
  return bytes;
};
const concat = (...parts: Uint8Array[]) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
};

describe("result file names", () => {
  const complete = ["hls/master.m3u8", "hls/144p.m3u8", "hls/144p-init.mp4", "hls/144p-0000.m4s", "hls/240p.m3u8", "hls/240p-init.mp4", "hls/240p-0000.m4s", "thumbnail.jpg"];
  test("a complete ladder passes", () => {
    expect(() => checkResultNames(complete, ["144p", "240p"])).not.toThrow();
  });
  const refused: [string, string[], string][] = [
    ["a path outside the folder", [...complete, "../evil.sh"], "unexpected file"],
    ["a hash map of the runner's", [...complete, "hls/segments-sha256.json"], "unexpected file"],
    ["a rendition nobody asked for", [...complete, "hls/1080p-0000.m4s"], "unexpected file"],
    ["a file sent twice", [...complete, "hls/144p-0000.m4s"], "sent twice"],
    ["a missing rendition playlist", complete.filter((n) => n !== "hls/240p.m3u8"), "lacks hls/240p.m3u8"],
    ["a missing master", complete.filter((n) => n !== "hls/master.m3u8"), "lacks hls/master.m3u8"],
  ];
  for (const [what, names, message] of refused) {
    test(`refuses ${what}`, () => {
      expect(() => checkResultNames(names, ["144p", "240p"])).toThrow(ResultError);
      expect(() => checkResultNames(names, ["144p", "240p"])).toThrow(message);
    });
  }
});

describe("fMP4 box chains", () => {
  test("whole boxes give their types", () => {
    expect(topLevelBoxes(concat(box("moof", 16), box("mdat", 100)))).toEqual(["moof", "mdat"]);
  });
  test("a cut or padded file gives null", () => {
    const whole = concat(box("moof", 16), box("mdat", 100));
    expect(topLevelBoxes(whole.subarray(0, whole.length - 1))).toBeNull();
    expect(topLevelBoxes(concat(whole, new Uint8Array(3)))).toBeNull();
  });
  test("a box claiming less than its header gives null", () => {
    const bad = box("moof");
    new DataView(bad.buffer).setUint32(0, 4);
    expect(topLevelBoxes(bad)).toBeNull();
  });
});

describe("live files from a runner", () => {
  const ts = (packets: number) => {
    const bytes = new Uint8Array(188 * packets);
    for (let i = 0; i < packets; i++) bytes[i * 188] = 0x47;
    return bytes;
  };
  const text = (s: string) => new TextEncoder().encode(s);
  test("segments and playlists of the live's renditions pass", () => {
    expect(checkLiveFile({ name: "240p-00012.ts", bytes: ts(3) }, ["240p"])).toBe("segment");
    expect(checkLiveFile({ name: "240p.m3u8", bytes: text("#EXTM3U\n#EXTINF:1.0,\n240p-00012.ts\n") }, ["240p"])).toBe("playlist");
    expect(checkLiveFile({ name: "master.m3u8", bytes: text("#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\n240p.m3u8\n") }, ["240p"])).toBe("playlist");
  });
  const refused: [string, { name: string; bytes: Uint8Array }][] = [
    ["a half packet", { name: "240p-00001.ts", bytes: ts(2).subarray(0, 300) }],
    ["bytes that are not MPEG-TS", { name: "240p-00001.ts", bytes: new Uint8Array(188) }],
    ["another rendition", { name: "720p-00001.ts", bytes: ts(1) }],
    ["a path", { name: "../240p.m3u8", bytes: text("#EXTM3U\n") }],
    ["a playlist naming another place", { name: "240p.m3u8", bytes: text("#EXTM3U\nhttps://evil.example/x.ts\n") }],
    ["a playlist that is not one", { name: "240p.m3u8", bytes: text("<html>") }],
  ];
  for (const [what, file] of refused) {
    test(`refuses ${what}`, () => {
      expect(() => checkLiveFile(file, ["240p"])).toThrow(HttpError);
    });
  }
});

test("payload URLs are moved onto the configured instance, so tokens never go to another host", () => {
  expect(onInstance("https://video.example.org", "https://evil.example/api/v1/runners/jobs/x/files?a=1")).toBe("https://video.example.org/api/v1/runners/jobs/x/files?a=1");
});
