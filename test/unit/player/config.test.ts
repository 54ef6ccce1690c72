import { describe, expect, test } from "bun:test";
import { coreConfig, knownSettings, liveHlsConfig, readPlayerConfig, readP2PConfig } from "../../../public/player/config.ts";
import { bufferAhead, formatBytes, reportSince } from "../../../public/player/stats.ts";
import { qualityOptions } from "../../../public/player/ui.ts";

const DATASET = {
  src: "/static/videos/u/hls/master.m3u8",
  videoId: "42",
  swarmId: "tubelet:u",
  trackers: '["wss://video.example.org/tracker/socket"]',
  stun: "[]",
  hashes: "/static/videos/u/hls/segments-sha256.json",
  p2pSettings: '{"highDemandTimeWindow":20,"httpDownloadInitialTimeoutMs":3000,"cachedSegmentsCount":50}',
};

describe("readP2PConfig", () => {
  test("reads every attribute the watch page renders", () => {
    expect(readP2PConfig(DATASET)).toEqual({
      src: DATASET.src,
      videoId: "42",
      swarmId: "tubelet:u",
      trackers: ["wss://video.example.org/tracker/socket"],
      stunServers: [],
      hashesUrl: DATASET.hashes,
      settings: { highDemandTimeWindow: 20, httpDownloadInitialTimeoutMs: 3000 },
    });
  });
  test("malformed or missing JSON counts as empty", () => {
    const config = readP2PConfig({ ...DATASET, trackers: "wss://not-json", stun: undefined, p2pSettings: "{" });
    expect(config.trackers).toEqual([]);
    expect(config.stunServers).toEqual([]);
    expect(config.settings).toEqual({});
  });
  test("non-string list entries are dropped", () => {
    expect(readP2PConfig({ ...DATASET, stun: '["stun:stun.example.org:3478", 5, "", null]' }).stunServers).toEqual(["stun:stun.example.org:3478"]);
  });
});

test("knownSettings keeps known keys with finite non-negative numbers", () => {
  expect(knownSettings({ simultaneousP2PDownloads: 5, p2pErrorRetries: -1, httpDownloadTimeWindow: "3", highDemandTimeWindow: Infinity, x: 1 })).toEqual({
    simultaneousP2PDownloads: 5,
  });
  expect(knownSettings([1, 2])).toEqual({});
});

test("coreConfig: settings, trackers, no default STUN servers, swarm id and the validation hook", () => {
  const validate = async () => true;
  const config = coreConfig(readP2PConfig(DATASET), validate);
  expect(config).toEqual({
    highDemandTimeWindow: 20,
    httpDownloadInitialTimeoutMs: 3000,
    swarmId: "tubelet:u",
    announceTrackers: ["wss://video.example.org/tracker/socket"],
    rtcConfig: { iceServers: [] },
    validateP2PSegment: validate,
  });
  const withStun = coreConfig(readP2PConfig({ ...DATASET, stun: '["stun:a:3478"]', swarmId: "" }), validate);
  expect(withStun.rtcConfig).toEqual({ iceServers: [{ urls: "stun:a:3478" }] });
  expect(withStun.swarmId).toBeUndefined();
});

describe("stats", () => {
  const zero = { httpBytes: 0, p2pBytes: 0, uploadedBytes: 0, peers: 0 };
  test("a report carries the bytes since the last one and the peers now", () => {
    expect(reportSince({ ...zero, httpBytes: 100 }, { httpBytes: 250, p2pBytes: 10, uploadedBytes: 5, peers: 2 })).toEqual({
      httpBytes: 150,
      p2pBytes: 10,
      uploadedBytes: 5,
      peers: 2,
    });
  });
  test("nothing moved, nothing to report", () => expect(reportSince({ ...zero, peers: 3 }, { ...zero, peers: 3 })).toBeNull());
  test("buffer ahead of the playhead", () => {
    const ranges = { length: 2, start: (i: number) => [0, 10][i]!, end: (i: number) => [4, 30][i]! } as TimeRanges;
    expect(bufferAhead(ranges, 1)).toBe(3);
    expect(bufferAhead(ranges, 12)).toBe(18);
    expect(bufferAhead(ranges, 9.95)).toBeCloseTo(20.05);
    expect(bufferAhead(ranges, 6)).toBe(0);
  });
  test("formatBytes", () => {
    expect(formatBytes(999)).toBe("999 B");
    expect(formatBytes(1_500_000)).toBe("1.50 MB");
    expect(formatBytes(25_000)).toBe("25.0 KB");
  });
});

test("quality options: auto first, then distinct heights from the top", () => {
  expect(qualityOptions([240, 720, 0, 240, 360])).toEqual([
    { value: "auto", label: "Auto" },
    { value: "720", label: "720p" },
    { value: "360", label: "360p" },
    { value: "240", label: "240p" },
  ]);
});

describe("live", () => {
  test("data-live is read only when it names a latency mode", () => {
    expect(readPlayerConfig({ ...DATASET, live: "low" }).live).toBe("low");
    expect(readPlayerConfig({ ...DATASET, live: "normal" }).live).toBe("normal");
    expect(readPlayerConfig({ ...DATASET, live: "fast" }).live).toBeUndefined();
    expect("live" in readPlayerConfig(DATASET)).toBe(false);
  });
  test("low latency stays closer to the live edge than normal; a video on demand gets no live settings", () => {
    const low = liveHlsConfig("low");
    const normal = liveHlsConfig("normal");
    expect(low.liveSyncDuration).toBe(2);
    expect(normal.liveSyncDuration).toBe(5);
    for (const c of [low, normal]) expect(c.liveMaxLatencyDuration!).toBeGreaterThan(c.liveSyncDuration!);
    expect(liveHlsConfig(undefined)).toEqual({});
  });
});
