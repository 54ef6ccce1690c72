import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Sql } from "../../../src/db/client.ts";
import { createKnownSwarms } from "../../../src/p2p/known-swarms.ts";
import { infoHashesForSwarm, infoHashesForVideo, swarmIdForLive } from "../../../src/p2p/swarm-ids.ts";
import type { PublishedVideoStamp } from "../../../src/p2p/tracker-queries.ts";
import { createLayout } from "../../../src/storage/layout.ts";

const V1 = "11111111-1111-4111-8111-111111111111";
const V2 = "22222222-2222-4222-8222-222222222222";
const master = (bandwidth: number) =>
  `#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=${bandwidth},CODECS="avc1.640015,mp4a.40.2",RESOLUTION=426x240,FRAME-RATE=30.000\n240p.m3u8\n`;
const hex = (uuid: string, bandwidth: number) => infoHashesForVideo(uuid, master(bandwidth))[0]!.infoHashHex;

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "tubelet-swarms-"));
});
afterAll(() => rm(root, { recursive: true, force: true }));

async function writeMaster(uuid: string, bandwidth: number) {
  await mkdir(join(root, "videos", uuid, "hls"), { recursive: true });
  await writeFile(join(root, "videos", uuid, "hls", "master.m3u8"), master(bandwidth));
}

/** A stand-in for the postgres.js tag: every query returns the current rows and is counted. */
function fakeSql(rows: () => PublishedVideoStamp[]) {
  const calls = { n: 0 };
  const sql = (() => {
    calls.n++;
    return Promise.resolve(rows());
  }) as unknown as Sql;
  return { sql, calls };
}

describe("known swarms", () => {
  test("a miss loads published videos; misses soon after do not query again", async () => {
    await writeMaster(V1, 1000);
    let clock = 0;
    const { sql, calls } = fakeSql(() => [{ uuid: V1, stamp: 1, liveSession: null }]);
    const swarms = createKnownSwarms({ sql, layout: createLayout(root), now: () => clock, missRefreshMs: 2000 });
    expect(await swarms.lookup(hex(V1, 1000))).toBe(true);
    expect(calls.n).toBe(1);
    expect(swarms.lookup(hex(V1, 1000))).toBe(true); // synchronous once cached
    expect(swarms.lookup("00".repeat(20))).toBe(false); // within missRefreshMs: no query
    expect(calls.n).toBe(1);
    clock = 2500;
    expect(await swarms.lookup("00".repeat(20))).toBe(false);
    expect(calls.n).toBe(2);
    expect(swarms.videoOf(hex(V1, 1000))).toBe(V1);
  });

  test("concurrent misses share one refresh", async () => {
    const { sql, calls } = fakeSql(() => [{ uuid: V1, stamp: 1, liveSession: null }]);
    const swarms = createKnownSwarms({ sql, layout: createLayout(root) });
    const answers = await Promise.all([swarms.lookup("aa"), swarms.lookup("bb"), swarms.lookup(hex(V1, 1000))]);
    expect(answers).toEqual([false, false, true]);
    expect(calls.n).toBe(1);
  });

  test("a changed stamp re-reads the master; unpublished videos drop out; a missing master gives no swarm", async () => {
    await writeMaster(V1, 1000);
    let clock = 0;
    let rows: PublishedVideoStamp[] = [{ uuid: V1, stamp: 1, liveSession: null }, { uuid: V2, stamp: 1, liveSession: null }];
    const swarms = createKnownSwarms({ sql: fakeSql(() => rows).sql, layout: createLayout(root), now: () => clock, missRefreshMs: 10 });
    await swarms.refresh();
    expect(swarms.size).toBe(1); // V2 has no files
    await writeMaster(V1, 2000);
    rows = [{ uuid: V1, stamp: 2, liveSession: null }];
    clock = 100;
    expect(await swarms.lookup(hex(V1, 2000))).toBe(true);
    expect(swarms.lookup(hex(V1, 1000))).toBe(false);
    rows = [];
    clock = 200;
    await swarms.refresh();
    expect(swarms.size).toBe(0);
  });

  test("a live on air: its session's swarms, once its master playlist appears; a new session replaces them", async () => {
    const layout = createLayout(root);
    const liveHex = (session: string) => infoHashesForSwarm(swarmIdForLive(V2, session), master(800))[0]!.infoHashHex;
    let clock = 0;
    let rows: PublishedVideoStamp[] = [{ uuid: V2, stamp: 5, liveSession: "s1" }];
    const swarms = createKnownSwarms({ sql: fakeSql(() => rows).sql, layout, now: () => clock, missRefreshMs: 10 });
    expect(await swarms.lookup(liveHex("s1"))).toBe(false); // ffmpeg has not written the master yet
    await mkdir(layout.liveSessionDir(V2, "s1"), { recursive: true });
    await writeFile(join(layout.liveSessionDir(V2, "s1"), "master.m3u8"), master(800));
    clock = 100; // same stamp as before: still looked at again
    expect(await swarms.lookup(liveHex("s1"))).toBe(true);
    expect(swarms.lookup(hex(V2, 800))).toBe(false); // the video's own swarm id is not the live's
    await mkdir(layout.liveSessionDir(V2, "s2"), { recursive: true });
    await writeFile(join(layout.liveSessionDir(V2, "s2"), "master.m3u8"), master(800));
    rows = [{ uuid: V2, stamp: 6, liveSession: "s2" }];
    clock = 200;
    expect(await swarms.lookup(liveHex("s2"))).toBe(true);
    expect(swarms.lookup(liveHex("s1"))).toBe(false);
  });

  test("a hit older than maxAgeMs refreshes in the background", async () => {
    await writeMaster(V1, 1000);
    let clock = 0;
    const { sql, calls } = fakeSql(() => [{ uuid: V1, stamp: 1, liveSession: null }]);
    const swarms = createKnownSwarms({ sql, layout: createLayout(root), now: () => clock, maxAgeMs: 60_000 });
    await swarms.refresh();
    clock = 61_000;
    expect(swarms.lookup(hex(V1, 1000))).toBe(true);
    await swarms.refresh();
    expect(calls.n).toBe(2);
  });

  test("a database failure is logged, answers false, and is not retried at once", async () => {
    const calls = { n: 0 };
    const sql = (() => {
      calls.n++;
      return Promise.reject(new Error("connection refused"));
    }) as unknown as Sql;
    const swarms = createKnownSwarms({ sql, layout: createLayout(root), now: () => 0 });
    const errors: string[] = [];
    const original = console.error;
    console.error = (message: string) => errors.push(message);
    try {
      expect(await swarms.lookup("aa")).toBe(false);
      expect(swarms.lookup("bb")).toBe(false);
    } finally {
      console.error = original;
    }
    expect(calls.n).toBe(1);
    expect(errors).toEqual(["tracker: refreshing known swarms failed: connection refused"]);
  });
});
