/** The pure parts of redundancy: CacheFile parsing, settings form, eviction choice, spot checks, and the players' source picker. */
import { describe, expect, test } from "bun:test";
import { createSourcePicker, failoverXhr, FAILED_SOURCE_PAUSE_MS, type XhrFunction } from "../../public/player/mirrors.ts";
import { readPlayerConfig } from "../../public/player/config.ts";
import { parseCacheFile, toCacheFileActivity, toCacheFileObject, undoneCacheFileId } from "../../src/redundancy/cache-file.ts";
import { masterPlaylistFiles } from "../../src/redundancy/hls-copy.ts";
import { spotCheckMirror } from "../../src/redundancy/origin.ts";
import type { MirrorRow } from "../../src/redundancy/queries.ts";
import { chooseEvictions, pastMinLifetime } from "../../src/redundancy/service.ts";
import { parseSettingsForm, type RedundancySettings } from "../../src/redundancy/settings.ts";
import { parseActivity, toUndoActivity } from "../../src/federation/objects.ts";
import { sha256Hex } from "../../src/transcoding/hashes.ts";

const B = "https://b.example";
const UUID = "5ecf63a0-664e-4a09-a737-9e5d31f47db4";

describe("CacheFile", () => {
  const object = toCacheFileObject(B, { uuid: UUID, videoApId: `https://a.example/videos/watch/${UUID}`, expiresAt: new Date("2030-01-01T00:00:00Z") });

  test("is built in PeerTube's shape and read back", () => {
    expect(object).toEqual({
      id: `${B}/redundancy/streaming-playlists/hls/${UUID}`,
      type: "CacheFile",
      object: `https://a.example/videos/watch/${UUID}`,
      expires: "2030-01-01T00:00:00.000Z",
      url: { type: "Link", mediaType: "application/x-mpegURL", href: `${B}/static/redundancy/hls/${UUID}` },
    });
    expect(parseCacheFile(object, `${B}/accounts/peertube`, { allowHttp: false })).toEqual({
      id: object.id as string,
      videoId: `https://a.example/videos/watch/${UUID}`,
      baseUrl: `${B}/static/redundancy/hls/${UUID}`,
      expires: new Date("2030-01-01T00:00:00Z"),
    });
  });

  test("a master playlist URL (PeerTube names the playlist) is reduced to its folder; mimeType is read too", () => {
    const json = { ...object, url: { type: "Link", mimeType: "application/x-mpegURL", href: `${B}/static/redundancy/hls/${UUID}/${UUID}-master.m3u8` } };
    expect(parseCacheFile(json, `${B}/accounts/peertube`, { allowHttp: false }).baseUrl).toBe(`${B}/static/redundancy/hls/${UUID}`);
  });

  test("an instance vouches only for files on its own origin, over https unless allowed", () => {
    const elsewhere = { ...object, url: { type: "Link", mediaType: "application/x-mpegURL", href: `https://evil.example/static/x` } };
    expect(() => parseCacheFile(elsewhere, `${B}/accounts/peertube`, { allowHttp: false })).toThrow("sender's origin");
    expect(() => parseCacheFile(object, "https://c.example/accounts/peertube", { allowHttp: false })).toThrow("sender's origin");
    const plain = toCacheFileObject("http://b.example", { uuid: UUID, videoId: "", videoApId: `http://a.example/videos/watch/${UUID}`, expiresAt: new Date() } as never);
    expect(() => parseCacheFile(plain, "http://b.example/accounts/peertube", { allowHttp: false })).toThrow("https URL");
    expect(parseCacheFile(plain, "http://b.example/accounts/peertube", { allowHttp: true }).baseUrl).toBe(`http://b.example/static/redundancy/hls/${UUID}`);
    expect(() => parseCacheFile({ ...object, url: { type: "Link", mediaType: "video/mp4", href: `${B}/x.mp4` } }, `${B}/a`, { allowHttp: false })).toThrow("no application/x-mpegURL");
  });

  test("an Undo names the CacheFile of the Create it embeds", () => {
    const create = toCacheFileActivity("Create", `${object.id as string}/create/1`, `${B}/accounts/peertube`, object);
    const undo = toUndoActivity(`${B}/undo/1`, `${B}/accounts/peertube`, create);
    expect(undoneCacheFileId(parseActivity(undo))).toBe(object.id as string);
    const undoFollow = toUndoActivity(`${B}/undo/2`, `${B}/accounts/peertube`, { id: `${B}/f`, type: "Follow", actor: `${B}/accounts/peertube`, object: "https://a.example/accounts/peertube" });
    expect(undoneCacheFileId(parseActivity(undoFollow))).toBeNull();
  });
});

describe("settings form", () => {
  const form = { enabled: "on", acceptFrom: "followings", maxItems: "7", mostViewedSize: "1.5", mostViewedLifetime: "48", trendingSize: "0", trendingLifetime: "1", recentlyAddedSize: "0.5", recentlyAddedLifetime: "2", recentlyAddedMinViews: "20" };

  test("sizes in GiB, lifetimes in hours, counts", () => {
    expect(parseSettingsForm(form)).toEqual({
      settings: {
        enabled: true,
        acceptFrom: "followings",
        maxItems: 7,
        mostViewed: { sizeBytes: 1.5 * 1024 ** 3, minLifetimeHours: 48 },
        trending: { sizeBytes: 0, minLifetimeHours: 1 },
        recentlyAdded: { sizeBytes: 0.5 * 1024 ** 3, minLifetimeHours: 2, minViews: 20 },
      },
    });
    expect((parseSettingsForm({ ...form, enabled: undefined }) as { settings: RedundancySettings }).settings.enabled).toBe(false);
  });

  test("every problem is reported at once, by field", () => {
    expect(parseSettingsForm({ ...form, acceptFrom: "all", mostViewedSize: "-1", trendingLifetime: "soon" })).toEqual({
      errors: [{ field: "acceptFrom" }, { field: "mostViewedSize", max: 1_000_000 }, { field: "trendingLifetime", max: 8760 }],
    });
  });
});

describe("eviction", () => {
  const now = new Date("2026-12-06T12:00:00Z");
  const settings = parseSettingsForm({ enabled: "on", acceptFrom: "anybody", maxItems: "3", mostViewedSize: "1", mostViewedLifetime: "24", trendingSize: "0", trendingLifetime: "0", recentlyAddedSize: "0", recentlyAddedLifetime: "0", recentlyAddedMinViews: "0" }) as { settings: RedundancySettings };
  const mirror = (id: number, views: number, ageHours: number, sizeBytes: number, strategy: MirrorRow["strategy"] = "most-viewed"): MirrorRow =>
    ({ id, views, sizeBytes, strategy, bytesServed: 0, createdAt: new Date(now.getTime() - ageHours * 3_600_000) }) as MirrorRow;

  test("only mirrors past their strategy's minimum lifetime, never manual ones", () => {
    expect(pastMinLifetime(mirror(1, 0, 25, 1), settings.settings, now)).toBe(true);
    expect(pastMinLifetime(mirror(1, 0, 23, 1), settings.settings, now)).toBe(false);
    expect(pastMinLifetime(mirror(1, 0, 1000, 1, "manual"), settings.settings, now)).toBe(false);
  });

  test("the least viewed old mirrors go first, only as many as make room, and never for a less viewed candidate", () => {
    const mirrors = [mirror(1, 50, 30, 400), mirror(2, 10, 30, 400), mirror(3, 5, 2, 400)];
    const room = { used: 1200, budget: 1500, needBytes: 500, count: 3, maxItems: 10, needItems: 1, forViews: 100 };
    expect(chooseEvictions(mirrors, room, settings.settings, now).map((m) => m.id)).toEqual([2]);
    expect(chooseEvictions(mirrors, { ...room, needBytes: 1000 }, settings.settings, now).map((m) => m.id)).toEqual([2, 1]);
    // Mirror 3 is young: even evicting both old ones leaves no room for 1500 bytes.
    expect(chooseEvictions(mirrors, { ...room, needBytes: 1500 }, settings.settings, now)).toEqual([]);
    expect(chooseEvictions(mirrors, { ...room, forViews: 20 }, settings.settings, now).map((m) => m.id)).toEqual([2]);
    expect(chooseEvictions(mirrors, { ...room, forViews: 8 }, settings.settings, now)).toEqual([]);
    // The item cap counts too.
    expect(chooseEvictions(mirrors, { ...room, needBytes: 0, maxItems: 3 }, settings.settings, now).map((m) => m.id)).toEqual([2]);
  });
});

describe("mirror checks", () => {
  test("a master playlist's renditions, EXT-X-MEDIA ones included", () => {
    const master = '#EXTM3U\n#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="a",URI="audio.m3u8"\n#EXT-X-STREAM-INF:BANDWIDTH=1\n144p.m3u8\n#EXT-X-STREAM-INF:BANDWIDTH=2\n240p.m3u8\n';
    expect(masterPlaylistFiles(master)).toEqual(["audio.m3u8", "144p.m3u8", "240p.m3u8"]);
  });

  test("a spot check fetches a few segments from the mirror folder and compares them with our map", async () => {
    const files: Record<string, Uint8Array> = { "144p-init.mp4": new Uint8Array([1]), "144p-0000.m4s": new Uint8Array([2]), "144p-0001.m4s": new Uint8Array([3]), "144p.m3u8": new Uint8Array([4]) };
    const hashes = Object.fromEntries(Object.entries(files).map(([n, b]) => [n, sha256Hex(b)]));
    const asked: string[] = [];
    const serve = (overrides: Record<string, Uint8Array> = {}) => async (url: string) => {
      asked.push(url);
      const name = decodeURIComponent(url.slice(url.lastIndexOf("/") + 1));
      const body = overrides[name] ?? files[name];
      if (!body) throw new Error("404");
      return body;
    };
    expect(await spotCheckMirror(serve(), `${B}/m`, hashes, (n) => n - 1)).toBe("match");
    expect(asked).toEqual([`${B}/m/144p-0000.m4s`, `${B}/m/144p-init.mp4`, `${B}/m/144p-0001.m4s`]);
    expect(await spotCheckMirror(serve({ "144p-0001.m4s": new Uint8Array([9]) }), `${B}/m`, hashes, (n) => n - 1)).toBe("mismatch");
    expect(await spotCheckMirror(async () => Promise.reject(new Error("down")), `${B}/m`, hashes)).toBe("unreachable");
  });
});

describe("players' source picker", () => {
  const page = "https://a.example/w/abc";
  const mirrors = ["https://b.example/static/redundancy/hls/u", "https://c.example/static/redundancy/hls/u/"];

  test("files of the video's folder go to every source, spread by name; other URLs are left alone", () => {
    const picker = createSourcePicker({ masterUrl: "/static/videos/u/hls/master.m3u8", pageUrl: page, mirrors });
    expect(picker.sources()).toEqual(["https://a.example/static/videos/u/hls", "https://b.example/static/redundancy/hls/u", "https://c.example/static/redundancy/hls/u"]);
    const firsts = new Map<string, number>();
    for (let i = 0; i < 60; i++) {
      const candidates = picker.candidates(`https://a.example/static/videos/u/hls/144p-${String(i).padStart(4, "0")}.m4s`);
      expect(candidates).toHaveLength(3);
      const host = new URL(candidates[0]!).host;
      firsts.set(host, (firsts.get(host) ?? 0) + 1);
    }
    expect([...firsts.keys()].sort()).toEqual(["a.example", "b.example", "c.example"]);
    expect(Math.min(...firsts.values())).toBeGreaterThan(5);
    expect(picker.candidates("https://a.example/api/v1/videos/u")).toEqual(["https://a.example/api/v1/videos/u"]);
    // The same file always goes to the same source first.
    expect(picker.candidates("/static/videos/u/hls/144p-0003.m4s")).toEqual(picker.candidates("https://a.example/static/videos/u/hls/144p-0003.m4s"));
  });

  test("a failing source is tried last for a while; a mirror serving wrong bytes is dropped, the origin never", () => {
    let now = 0;
    const picker = createSourcePicker({ masterUrl: "https://a.example/static/videos/u/hls/master.m3u8", pageUrl: page, mirrors, now: () => now });
    const file = "https://a.example/static/videos/u/hls/x.m4s";
    const first = picker.candidates(file)[0]!;
    picker.failed(first);
    expect(picker.candidates(file).at(-1)).toBe(first);
    now += FAILED_SOURCE_PAUSE_MS + 1;
    expect(picker.candidates(file)[0]).toBe(first);
    const onB = picker.candidates(file).find((u) => u.startsWith("https://b.example/"))!;
    expect(picker.isMirror(onB)).toBe(true);
    picker.servedWrongBytes(onB);
    expect(picker.candidates(file).some((u) => u.startsWith("https://b.example/"))).toBe(false);
    picker.servedWrongBytes(`https://a.example/static/videos/u/hls/x.m4s`);
    expect(picker.candidates(file).some((u) => u.startsWith("https://a.example/"))).toBe(true);
  });

  test("the page's mirror list: only http(s) URLs", () => {
    const src = "/static/videos/u/hls/master.m3u8";
    expect(readPlayerConfig({ src, mirrors: '["https://b.example/m", "javascript:alert(1)", 3]' }).mirrors).toEqual(["https://b.example/m"]);
    expect(readPlayerConfig({ src, mirrors: "not json" }).mirrors).toBeUndefined();
  });

  test("VHS's xhr moves to the next source on failure and past a mirror whose bytes do not match", async () => {
    const picker = createSourcePicker({ masterUrl: "https://a.example/static/videos/u/hls/master.m3u8", pageUrl: page, mirrors: [mirrors[0]!] });
    const file = "https://a.example/static/videos/u/hls/144p-0001.m4s";
    const order = picker.candidates(file);
    const asked: string[] = [];
    const answers = new Map<string, { statusCode: number; body?: unknown }>([
      [order[0]!, { statusCode: 503 }],
      [order[1]!, { statusCode: 200, body: new ArrayBuffer(4) }],
    ]);
    const original: XhrFunction = (options, callback) => {
      asked.push(options.uri);
      const request = { uri: options.uri, response: answers.get(options.uri)?.body, abort() {} };
      queueMicrotask(() => callback(null, answers.get(options.uri)!));
      return request;
    };
    const xhr = failoverXhr(original, () => picker, async () => "valid");
    const done = await new Promise<{ error: unknown; response: { statusCode: number }; request: Record<string, unknown> }>((resolve) => {
      const request = xhr({ uri: file }, (error, response) => resolve({ error, response, request: request as Record<string, unknown> })) as Record<string, unknown>;
    });
    expect(asked).toEqual(order);
    expect(done.response.statusCode).toBe(200);
    // VHS reads the response off the request object it was given: the stand-in speaks for the last attempt.
    expect(done.request.uri).toBe(order[1]);

    // Wrong bytes from the mirror: it is dropped, and the file comes from the origin.
    const onMirrorFirst = Array.from({ length: 50 }, (_, n) => `https://a.example/static/videos/u/hls/f${n}.m4s`).find((f) => picker.isMirror(picker.candidates(f)[0]!))!;
    for (const candidate of picker.candidates(onMirrorFirst)) answers.set(candidate, { statusCode: 200, body: new ArrayBuffer(4) });
    asked.length = 0;
    const result = await new Promise<{ statusCode: number }>((resolve) => failoverXhr(original, () => picker, async () => "mismatch")({ uri: onMirrorFirst }, (_e, r) => resolve(r)));
    expect(result.statusCode).toBe(200);
    expect(asked.map((u) => new URL(u).host)).toEqual(["b.example", "a.example"]);
    expect(picker.sources()).toEqual(["https://a.example/static/videos/u/hls"]);
  });
});
