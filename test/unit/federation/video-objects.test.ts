import { describe, expect, test } from "bun:test";
import { parseConfig } from "../../../src/config.ts";
import { InvalidObjectError } from "../../../src/federation/objects.ts";
import {
  localVideoUri,
  parseIsoDuration,
  parseVideoObject,
  toIsoDuration,
  toVideoActivity,
  toVideoObject,
  type VideoObjectSource,
} from "../../../src/federation/video-objects.ts";
import peertubeVideo from "../../fixtures/activitypub/peertube.example/videos-watch-tomatoes.json";

const config = parseConfig({ TUBELET_PUBLIC_URL: "https://video.example" });
const strict = { allowHttp: false };

const source: VideoObjectSource = {
  uuid: "0b6c9f0e-7d1a-4c4e-8f7e-2a5b3c4d5e6f",
  shortId: "2ZbLx3pXwJ1mK7vQ9sYtR4",
  name: "Sourdough, day one",
  description: "Flour and **water**.",
  duration: 123.4,
  category: 18,
  language: "en",
  tags: ["bread", "baking"],
  views: 7,
  sensitive: false,
  commentsEnabled: true,
  downloadEnabled: false,
  isLive: false,
  width: 1280,
  height: 720,
  fps: 29.97,
  renditions: [
    { height: 720, width: 1280, bandwidth: 2_500_000, playlist: "720.m3u8", size: 5000 },
    { height: 240, width: 426, bandwidth: 400_000, playlist: "240.m3u8", size: 800 },
  ],
  createdAt: new Date("2025-01-01T10:00:00Z"),
  updatedAt: new Date("2025-01-02T10:00:00Z"),
  publishedAt: new Date("2025-01-01T11:00:00Z"),
  channelHandle: "bakery",
  ownerHandle: "alice",
};

describe("ISO-8601 durations", () => {
  test.each([
    [0, "PT0S"],
    [123, "PT123S"],
    [123.4, "PT123S"],
    [59.6, "PT60S"],
  ])("%p seconds are written %p", (seconds, iso) => {
    expect(toIsoDuration(seconds)).toBe(iso);
  });
  test.each([
    ["PT123S", 123],
    ["PT1H2M3S", 3723],
    ["PT2M", 120],
    ["PT1.5S", 1.5],
    ["P1DT1S", 86_401],
  ])("%p reads as %p seconds", (iso, seconds) => {
    expect(parseIsoDuration(iso)).toBe(seconds);
  });
  test.each([["123"], ["PT"], ["P"], ["PTS"], ["PT-1S"], [123], [null]])("%p is not a duration", (value) => {
    expect(parseIsoDuration(value)).toBeNull();
  });
});

describe("toVideoObject", () => {
  const video = toVideoObject(source, config);
  const urls = video.url as Record<string, unknown>[];

  test("is PeerTube's Video: id on /videos/watch/<uuid>, uuid, ISO duration, markdown content, public with followers cc", () => {
    expect(video).toMatchObject({
      type: "Video",
      id: "https://video.example/videos/watch/0b6c9f0e-7d1a-4c4e-8f7e-2a5b3c4d5e6f",
      uuid: source.uuid,
      name: "Sourdough, day one",
      duration: "PT123S",
      mediaType: "text/markdown",
      content: "Flour and **water**.",
      category: { identifier: "18", name: "Food" },
      language: { identifier: "en", name: "English" },
      sensitive: false,
      commentsEnabled: true,
      commentsPolicy: 1,
      downloadEnabled: false,
      state: 1,
      published: "2025-01-01T11:00:00.000Z",
      updated: "2025-01-02T10:00:00.000Z",
      tag: [{ type: "Hashtag", name: "bread" }, { type: "Hashtag", name: "baking" }],
      attributedTo: [
        { type: "Person", id: "https://video.example/accounts/alice" },
        { type: "Group", id: "https://video.example/video-channels/bakery" },
      ],
      to: ["https://www.w3.org/ns/activitystreams#Public"],
      cc: ["https://video.example/video-channels/bakery/followers"],
    });
    expect(video.id).toBe(localVideoUri(config.publicUrl, source.uuid));
  });

  test("url[] starts with the watch page, then the master playlist tagged with the SHA-256 map and renditions, then the tracker", () => {
    expect(urls[0]).toEqual({ type: "Link", mediaType: "text/html", href: video.id });
    const master = urls.find((u) => u.mediaType === "application/x-mpegURL")!;
    expect(master.href).toBe(`https://video.example/static/videos/${source.uuid}/hls/master.m3u8`);
    const tags = master.tag as Record<string, unknown>[];
    expect(tags[0]).toEqual({
      type: "Link",
      name: "sha256",
      mediaType: "application/json",
      href: `https://video.example/static/videos/${source.uuid}/hls/segments-sha256.json`,
    });
    expect(tags.slice(1).map((t) => [t.height, t.href])).toEqual([
      [720, `https://video.example/static/videos/${source.uuid}/hls/720.m3u8`],
      [240, `https://video.example/static/videos/${source.uuid}/hls/240.m3u8`],
    ]);
    expect(urls.at(-1)).toEqual({ type: "Link", name: "tracker-websocket", rel: ["tracker", "websocket"], href: "wss://video.example/tracker/socket" });
  });

  test("icons are the thumbnail and the preview", () => {
    expect((video.icon as { url: string }[]).map((i) => i.url)).toEqual([
      `https://video.example/static/videos/${source.uuid}/thumbnail.jpg`,
      `https://video.example/static/videos/${source.uuid}/preview.jpg`,
    ]);
  });

  test("parses back to the same values (round trip)", () => {
    const parsed = parseVideoObject(video, strict);
    expect(parsed).toMatchObject({
      id: video.id,
      uuid: source.uuid,
      name: source.name,
      description: source.description,
      durationSeconds: 123,
      category: 18,
      language: "en",
      tags: ["bread", "baking"],
      commentsEnabled: true,
      downloadEnabled: false,
      channelUri: "https://video.example/video-channels/bakery",
      accountUri: "https://video.example/accounts/alice",
      masterUrl: `https://video.example/static/videos/${source.uuid}/hls/master.m3u8`,
      hashesUrl: `https://video.example/static/videos/${source.uuid}/hls/segments-sha256.json`,
      trackerUrls: ["wss://video.example/tracker/socket"],
      height: 720,
    });
  });

  test("a Create wraps the object without its context, addressed like it", () => {
    const create = toVideoActivity("Create", `${video.id}/activity`, "https://video.example/accounts/alice", video);
    expect(create).toMatchObject({ type: "Create", actor: "https://video.example/accounts/alice", to: video.to, cc: video.cc });
    expect((create.object as Record<string, unknown>)["@context"]).toBeUndefined();
  });
});

describe("parseVideoObject on PeerTube's Video", () => {
  test("reads the fields we keep", () => {
    const parsed = parseVideoObject(peertubeVideo, strict);
    expect(parsed).toEqual({
      id: "https://peertube.example/videos/watch/8d7a3f52-2b11-4c0e-9a55-3f0c6a1e42b7",
      uuid: "8d7a3f52-2b11-4c0e-9a55-3f0c6a1e42b7",
      name: "Tomatoes in August",
      description: "Picking the **first** tomatoes.",
      durationSeconds: 754,
      category: 18,
      language: "fr",
      tags: ["garden", "tomatoes"],
      views: 412,
      sensitive: false,
      commentsEnabled: true,
      downloadEnabled: true,
      isLive: false,
      state: 1,
      published: new Date("2024-08-20T07:15:00.000Z"),
      updated: new Date("2024-08-21T10:00:00.000Z"),
      channelUri: "https://peertube.example/video-channels/garden",
      accountUri: "https://peertube.example/accounts/lena",
      attributedTo: ["https://peertube.example/accounts/lena", "https://peertube.example/video-channels/garden"],
      watchUrl: "https://peertube.example/videos/watch/8d7a3f52-2b11-4c0e-9a55-3f0c6a1e42b7",
      masterUrl: "https://peertube.example/static/streaming-playlists/hls/8d7a3f52-2b11-4c0e-9a55-3f0c6a1e42b7/master.m3u8",
      hashesUrl: "https://peertube.example/static/streaming-playlists/hls/8d7a3f52-2b11-4c0e-9a55-3f0c6a1e42b7/segments-sha256.json",
      trackerUrls: ["https://peertube.example/tracker/announce", "wss://peertube.example/tracker/socket"],
      thumbnailUrl: "https://peertube.example/lazy-static/thumbnails/tomatoes.jpg",
      previewUrl: "https://peertube.example/lazy-static/previews/tomatoes.jpg",
      renditions: [
        { height: 720, width: 1280, size: 48211032, href: "https://peertube.example/static/streaming-playlists/hls/8d7a3f52-2b11-4c0e-9a55-3f0c6a1e42b7/tomatoes-720-fragmented.mp4" },
        { height: 240, width: 426, size: 9120400, href: "https://peertube.example/static/streaming-playlists/hls/8d7a3f52-2b11-4c0e-9a55-3f0c6a1e42b7/tomatoes-240-fragmented.mp4" },
      ],
      width: 1280,
      height: 720,
      fps: 30,
    });
  });

  const without = (key: string) => Object.fromEntries(Object.entries(peertubeVideo).filter(([k]) => k !== key));
  test.each([
    ["uuid", without("uuid"), /uuid/],
    ["name", without("name"), /name/],
    ["url", without("url"), /text\/html/],
    ["duration", without("duration"), /duration/],
    ["attributedTo", without("attributedTo"), /attributedTo/],
    ["a bad uuid", { ...peertubeVideo, uuid: "not-a-uuid" }, /uuid/],
    ["a Note", { ...peertubeVideo, type: "Note" }, /Video/],
    ["no HLS playlist", { ...peertubeVideo, url: peertubeVideo.url.filter((u) => u.mediaType !== "application/x-mpegURL") }, /mpegURL/],
    ["an http id", { ...peertubeVideo, id: peertubeVideo.id.replace("https:", "http:") }, /https/],
    [
      "a channel of another origin",
      { ...peertubeVideo, attributedTo: [{ type: "Group", id: "https://elsewhere.example/video-channels/garden" }] },
      /origin/,
    ],
  ])("refuses %s", (_, json, message) => {
    expect(() => parseVideoObject(json, strict)).toThrow(InvalidObjectError);
    expect(() => parseVideoObject(json, strict)).toThrow(message);
  });

  test("accepts http URLs when federating on a private network", () => {
    const http = JSON.parse(JSON.stringify(peertubeVideo).replaceAll("https://peertube.example", "http://127.0.0.1:9001"));
    expect(parseVideoObject(http, { allowHttp: true }).masterUrl).toStartWith("http://127.0.0.1:9001/");
  });
});
