import { describe, expect, test } from "bun:test";
import {
  createP2PSegmentGuard,
  createSegmentChecker,
  expectedHash,
  fetchSegmentHashMap,
  sameHex,
  segmentFileName,
  sha256,
  sha256Hex,
  type SegmentHashMap,
} from "../../../public/player/integrity.ts";

const hex = (bytes: Uint8Array) => new Bun.CryptoHasher("sha256").update(bytes).digest("hex");
const bytes = (text: string) => new TextEncoder().encode(text);
const buffer = (text: string) => bytes(text).buffer as ArrayBuffer;

const SEGMENT = "https://video.example.org/static/videos/5f0c/hls/240p-0001.m4s";
const MAP: SegmentHashMap = { "240p-0001.m4s": hex(bytes("good segment")), "240p-init.mp4": hex(bytes("init")) };

describe("segmentFileName", () => {
  test("is the last path component", () => expect(segmentFileName(SEGMENT)).toBe("240p-0001.m4s"));
  test("ignores query and fragment", () => expect(segmentFileName(`${SEGMENT}?token=x#t=1`)).toBe("240p-0001.m4s"));
  test("decodes percent escapes", () => expect(segmentFileName("https://x.org/hls/a%20b.m4s")).toBe("a b.m4s"));
  test("keeps a malformed escape as it is", () => expect(segmentFileName("https://x.org/hls/a%E0%A4.m4s")).toBe("a%E0%A4.m4s"));
  test("works for relative URLs", () => expect(segmentFileName("/static/videos/u/hls/720p-0000.m4s")).toBe("720p-0000.m4s"));
  test("a mirror's path does not matter", () => expect(segmentFileName("https://mirror.example/cache/u/240p-0001.m4s")).toBe("240p-0001.m4s"));
});

describe("expectedHash", () => {
  test("finds listed segments, lowercased", () => expect(expectedHash({ "a.m4s": "ABCD" }, "https://x/hls/a.m4s")).toBe("abcd"));
  test("is undefined for unlisted ones", () => expect(expectedHash(MAP, "https://x/hls/999.m4s")).toBeUndefined());
  test("never reads inherited properties", () => expect(expectedHash(MAP, "https://x/hls/constructor")).toBeUndefined());
});

describe("sha256Hex", () => {
  test("matches a reference with crypto.subtle", async () => {
    expect(await sha256Hex(buffer("abc"))).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  });
  test("the fallback for insecure contexts matches the reference at every padding boundary", async () => {
    for (const size of [0, 1, 55, 56, 57, 63, 64, 65, 119, 120, 1000, 70_001]) {
      const data = crypto.getRandomValues(new Uint8Array(size));
      expect(Buffer.from(sha256(data)).toString("hex")).toBe(hex(data));
      expect(await sha256Hex(data, null)).toBe(hex(data));
    }
  });
});

test("sameHex compares case-insensitively and refuses different lengths", () => {
  expect(sameHex("abcdef", "ABCDEF")).toBe(true);
  expect(sameHex("abcdef", "abcdee")).toBe(false);
  expect(sameHex("abcdef", "abcde")).toBe(false);
});

/** A checker over an in-memory map whose loads are counted; `maps` are served in turn. */
function checkerWith(maps: (SegmentHashMap | Error)[], clock = { t: 0 }) {
  const loads: boolean[] = [];
  const check = createSegmentChecker({
    loadMap: async (fresh) => {
      loads.push(fresh);
      const next = maps[Math.min(loads.length - 1, maps.length - 1)]!;
      if (next instanceof Error) throw next;
      return next;
    },
    now: () => clock.t,
    minRefetchMs: 1000,
  });
  return { check, loads, clock };
}

describe("createSegmentChecker", () => {
  test("accepts bytes that hash to the map's value and fetches the map once", async () => {
    const { check, loads } = checkerWith([MAP]);
    expect(await check(SEGMENT, undefined, buffer("good segment"))).toBe("valid");
    expect(await check("https://x/hls/240p-init.mp4", undefined, buffer("init"))).toBe("valid");
    expect(loads).toEqual([false]);
  });

  test("a mismatch is reported as such", async () => {
    const { check } = checkerWith([MAP]);
    expect(await check(SEGMENT, undefined, buffer("evil segment"))).toBe("mismatch");
  });

  test("a segment missing from the map re-fetches it, bypassing the cache (a live playlist grew)", async () => {
    const later = { ...MAP, "240p-0002.m4s": hex(bytes("next")) };
    const { check, loads, clock } = checkerWith([MAP, later]);
    expect(await check(SEGMENT, undefined, buffer("good segment"))).toBe("valid");
    clock.t = 5000;
    expect(await check("https://x/hls/240p-0002.m4s", undefined, buffer("next"))).toBe("valid");
    expect(loads).toEqual([false, true]);
  });

  test("re-fetches at most once per interval, and concurrent misses share one request", async () => {
    const { check, loads, clock } = checkerWith([MAP]);
    await check(SEGMENT, undefined, buffer("good segment"));
    expect(await check("https://x/hls/404.m4s", undefined, buffer("x"))).toBe("unlisted");
    expect(loads).toEqual([false]);
    clock.t = 2000;
    const results = await Promise.all([1, 2, 3].map((n) => check(`https://x/hls/${n}.m4s`, undefined, buffer("x"))));
    expect(results).toEqual(["unlisted", "unlisted", "unlisted"]);
    expect(loads).toEqual([false, true]);
  });

  test("no map (the fetch failed) rejects, and a later success is used", async () => {
    const { check, clock } = checkerWith([new Error("offline"), MAP]);
    expect(await check(SEGMENT, undefined, buffer("good segment"))).toBe("unlisted");
    clock.t = 5000;
    expect(await check(SEGMENT, undefined, buffer("good segment"))).toBe("valid");
  });

  test("works the same without crypto.subtle (an instance on plain HTTP)", async () => {
    const check = createSegmentChecker({ loadMap: async () => MAP, subtle: null });
    expect(await check(SEGMENT, undefined, buffer("good segment"))).toBe("valid");
    expect(await check(SEGMENT, undefined, buffer("evil segment"))).toBe("mismatch");
  });

  test("byte ranges are not in our map format and are rejected", async () => {
    const { check } = checkerWith([MAP]);
    expect(await check(SEGMENT, { start: 0, end: 9 }, buffer("good segment"))).toBe("unlisted");
  });
});

describe("createP2PSegmentGuard", () => {
  const start = (guard: ReturnType<typeof createP2PSegmentGuard>, url: string, peerId?: string) =>
    guard.onSegmentStart({ segment: { url }, downloadSource: peerId ? "p2p" : "http", peerId });

  test("valid segments pass; a mismatch fails and marks that peer bad", async () => {
    const guard = createP2PSegmentGuard(checkerWith([MAP]).check);
    start(guard, SEGMENT, "peer-a");
    expect(await guard.validateP2PSegment(SEGMENT, undefined, buffer("good segment"))).toBe(true);
    guard.onSegmentDone(SEGMENT);
    start(guard, SEGMENT, "peer-b");
    expect(await guard.validateP2PSegment(SEGMENT, undefined, buffer("tampered"))).toBe(false);
    expect([...guard.badPeers]).toEqual(["peer-b"]);
  });

  test("once bad, a peer's segments are refused even when they are correct", async () => {
    const guard = createP2PSegmentGuard(checkerWith([MAP]).check);
    start(guard, SEGMENT, "peer-b");
    await guard.validateP2PSegment(SEGMENT, undefined, buffer("tampered"));
    guard.onSegmentDone(SEGMENT);
    start(guard, SEGMENT, "peer-b");
    expect(await guard.validateP2PSegment(SEGMENT, undefined, buffer("good segment"))).toBe(false);
    start(guard, SEGMENT, "peer-c");
    expect(await guard.validateP2PSegment(SEGMENT, undefined, buffer("good segment"))).toBe(true);
  });

  test("a segment the map does not list is refused without blaming the peer", async () => {
    const guard = createP2PSegmentGuard(checkerWith([MAP]).check);
    start(guard, "https://x/hls/240p-0009.m4s", "peer-a");
    expect(await guard.validateP2PSegment("https://x/hls/240p-0009.m4s", undefined, buffer("x"))).toBe(false);
    expect(guard.badPeers.size).toBe(0);
  });
});

describe("fetchSegmentHashMap", () => {
  const serve = (response: Response) => {
    const seen: RequestInit[] = [];
    const fetcher = (async (_url: string, init: RequestInit) => {
      seen.push(init);
      return response;
    }) as unknown as typeof fetch;
    return { fetcher, seen };
  };
  test("returns the JSON object; a re-fetch bypasses the HTTP cache", async () => {
    const { fetcher, seen } = serve(Response.json(MAP));
    expect(await fetchSegmentHashMap("/m.json", true, fetcher)).toEqual(MAP);
    expect(seen[0]!.cache).toBe("no-cache");
  });
  test("an error status throws", async () => {
    await expect(fetchSegmentHashMap("/m.json", false, serve(new Response("no", { status: 404 })).fetcher)).rejects.toThrow("HTTP 404");
  });
  test("a JSON array is not a map", async () => {
    await expect(fetchSegmentHashMap("/m.json", false, serve(Response.json([1])).fetcher)).rejects.toThrow("not a JSON object");
  });
});
