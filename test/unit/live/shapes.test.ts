import { describe, expect, test } from "bun:test";
import { liveP2pSettings, livePlayerView, liveStatus, type LiveStatus } from "../../../src/live/shapes.ts";
import type { WatchView } from "../../../views/pages/watch.tsx";

const UUID = "9a4076b8-8f2a-4945-a5ca-1d28c1280b47";
const BASE = {
  uuid: UUID,
  posterUrl: `/static/videos/${UUID}/preview.jpg`,
  masterUrl: `/static/videos/${UUID}/hls/master.m3u8`,
  hashesUrl: `/static/videos/${UUID}/hls/segments-sha256.json`,
  downloadUrl: `/static/videos/${UUID}/download.mp4`,
  duration: 0,
  p2pSettings: { highDemandTimeWindow: 8, httpDownloadInitialTimeoutMs: 1500, simultaneousP2PDownloads: 3 },
} as unknown as WatchView;
const ON_AIR: LiveStatus = {
  state: "live",
  session: "s1",
  masterUrl: `/static/live/${UUID}/s1/master.m3u8`,
  hashesUrl: `/static/live/${UUID}/s1/segments-sha256.json`,
  replayUrl: null,
};

describe("livePlayerView", () => {
  test("on air: the session's playlist, hashes and swarm, live P2P settings, nothing to download", () => {
    const view = livePlayerView(BASE, ON_AIR, "low");
    expect(view).toMatchObject({
      masterUrl: ON_AIR.masterUrl,
      hashesUrl: ON_AIR.hashesUrl,
      swarmId: `tubelet:${UUID}:s1`,
      live: "low",
      posterUrl: "",
      downloadUrl: null,
      p2pSettings: { highDemandTimeWindow: 0.5, httpDownloadInitialTimeoutMs: 0, simultaneousP2PDownloads: 3 },
    });
  });
  test("off air: no live player, and never the video's own (absent) files as a poster or download", () => {
    const view = livePlayerView(BASE, { ...ON_AIR, state: "waiting", session: null, masterUrl: null, hashesUrl: null }, "normal");
    expect(view.live).toBeUndefined();
    expect(view.posterUrl).toBe("");
    expect(view.downloadUrl).toBeNull();
  });
});

test("live P2P settings: a high-demand window shorter than the distance kept behind the live edge", () => {
  const low = liveP2pSettings("low", { highDemandTimeWindow: 8 });
  const normal = liveP2pSettings("normal", { highDemandTimeWindow: 8 });
  expect(low.highDemandTimeWindow).toBeLessThan(1); // low mode: 2 s behind the edge, a new 1 s segment starts 1 s ahead
  expect(normal.highDemandTimeWindow).toBeLessThan(1); // normal mode: 5 s behind the edge, a new 4 s segment starts 1 s ahead
  expect(low.httpDownloadInitialTimeoutMs).toBe(0);
});

describe("liveStatus", () => {
  const row = {
    id: 1, videoId: 2, streamKey: "k".repeat(43), saveReplay: false, permanent: false, latencyMode: "low", state: "live",
    session: "s1", startedAt: new Date(), playableAt: null, endedAt: null, replayVideoId: null, replayShortId: null, createdAt: new Date(),
  } as const;
  test("published to but no segment yet: still waiting, with nothing for players to load", () => {
    expect(liveStatus(UUID, row)).toEqual({ state: "waiting", session: null, masterUrl: null, hashesUrl: null, replayUrl: null });
  });
  test("playable: the session's playlist and hash map", () => {
    expect(liveStatus(UUID, { ...row, playableAt: new Date() })).toEqual(ON_AIR);
  });
  test("ended, with its replay's page", () => {
    expect(liveStatus(UUID, { ...row, state: "ended", replayShortId: "abc" })).toMatchObject({ state: "ended", masterUrl: null, replayUrl: "/w/abc" });
  });
});
