/** Lives as visitors meet them: listings, the watch page in each state, its state events, the files. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdir, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { TestApp, TestClient } from "../helpers/app.ts";
import { createLiveFixture, openLiveEvents, type LiveFixture } from "../helpers/live.ts";
import { seedVideo } from "../helpers/videos.ts";
import type { UserRow } from "../../src/accounts/queries.ts";
import { beginLiveSession, endLiveSession, findLiveByVideoId, markLivePlayable, setLiveReplay } from "../../src/live/queries.ts";
import { loadLiveStatus } from "../../src/live/service.ts";

let f: LiveFixture;
let t: TestApp;
let alice: LiveFixture["alice"];
let bob: LiveFixture["bob"];
let aliceUser: UserRow;
let bobUser: UserRow;
let aliceChannel: number;
let bobChannel: number;
let aliceClient: TestClient;
let bobClient: TestClient;
let adminClient: TestClient;

beforeAll(async () => {
  f = await createLiveFixture();
  ({ t, alice, bob, aliceUser, bobUser, aliceChannel, bobChannel, aliceClient, bobClient, adminClient } = f);
}, 20_000);
afterAll(() => t.close());

const makeLive: LiveFixture["makeLive"] = (...args) => f.makeLive(...args);
const liveOf: LiveFixture["liveOf"] = (...args) => f.liveOf(...args);
const begin: LiveFixture["begin"] = (...args) => f.begin(...args);
const endAll: LiveFixture["endAll"] = () => f.endAll();

describe("listings", () => {
  test("lives off air are not listed (home, search, API, channel, feed); on air they are, with a LIVE badge", async () => {
    await endAll();
    const waiting = await makeLive(bobUser, bobChannel, { name: "Zebra waiting stream" });
    const ended = await makeLive(bobUser, bobChannel, { name: "Zebra ended stream" });
    const onAir = await makeLive(bobUser, bobChannel, { name: "Zebra onair stream", permanentLive: true });
    const endedLive = await liveOf(ended.video.id);
    expect(await begin(endedLive, bob.id, "e1")).toBe("ok");
    await endLiveSession(t.db.sql, { liveId: endedLive.id, session: "e1" });
    expect(await begin(await liveOf(onAir.video.id), bob.id, "on1")).toBe("ok");

    const visitor = t.client();
    const pages = {
      home: (await visitor.page("/")).html,
      search: (await visitor.page("/search?q=zebra")).html,
      recent: (await visitor.page("/browse/recent")).html,
      channel: (await visitor.page("/c/bob_channel")).html,
      api: JSON.stringify(await (await visitor.fetch("/api/v1/videos?count=100")).json()),
      feed: await (await visitor.fetch("/feeds/videos.xml")).text(),
    };
    for (const [where, html] of Object.entries(pages)) {
      expect({ where, waiting: html.includes("Zebra waiting stream"), ended: html.includes("Zebra ended stream") }).toEqual({ where, waiting: false, ended: false });
    }
    for (const where of ["home", "search", "recent", "channel", "api"] as const) {
      expect({ where, onAir: pages[where].includes("Zebra onair stream") }).toEqual({ where, onAir: true });
    }
    // A live has no thumbnail file: its card shows the empty frame with the badge.
    expect(pages.home).toContain(`<a href="/w/${onAir.video.shortId}" class="thumb"><span class="thumb-empty"></span><span class="live-badge">LIVE</span>`);
    // Off air, they stay reachable by their link.
    expect((await visitor.page(`/w/${waiting.video.shortId}`)).status).toBe(200);
    expect((await visitor.page(`/w/${ended.video.shortId}`)).status).toBe(200);
    await endAll();
    expect((await visitor.page("/search?q=zebra")).html).not.toContain("Zebra onair stream");
  });
});

describe("watch page", () => {
  test("waiting: a placeholder instead of the player, and the area's event and fragment URLs", async () => {
    await endAll();
    const { video } = await makeLive(aliceUser, aliceChannel, { name: "Waiting room" });
    const { status, html } = await t.client().page(`/w/${video.shortId}`);
    expect(status).toBe(200);
    expect(html).toContain("The stream has not started yet.");
    expect(html).not.toContain('id="player"');
    expect(html).toContain(`data-events="/w/${video.shortId}/live/events"`);
    expect(html).toContain(`data-fragment="/w/${video.shortId}/live/player"`);
    expect(html).toContain('data-state="waiting"');
  });

  test("on air: the player on this session's playlist, hashes and swarm, with data-live and the LIVE badge", async () => {
    await endAll();
    const { video, live } = await makeLive(aliceUser, aliceChannel, { name: "On air now", latencyMode: "low" });
    expect(await begin(live, alice.id, "sess01")).toBe("ok");
    const { html } = await t.client().page(`/w/${video.shortId}`);
    expect(html).toContain(`data-src="/static/live/${video.uuid}/sess01/master.m3u8"`);
    expect(html).toContain(`data-hashes="/static/live/${video.uuid}/sess01/segments-sha256.json"`);
    expect(html).toContain(`data-swarm-id="tubelet:${video.uuid}:sess01"`);
    expect(html).toContain('data-live="low"');
    expect(html).toContain('data-session="sess01"');
    expect(html).toContain('<span class="live-badge">LIVE</span>');
    expect(html).not.toContain("The stream has not started yet.");
    const fragment = await t.client().fetch(`/w/${video.shortId}/live/player`);
    expect(fragment.status).toBe(200);
    expect(fragment.headers.get("cache-control")).toBe("no-store");
    const box = await fragment.text();
    expect(box).toContain('data-live="low"');
    expect(box).not.toContain("<html");
    const embed = await t.client().page(`/videos/embed/${video.shortId}`);
    expect(embed.html).toContain(`data-src="/static/live/${video.uuid}/sess01/master.m3u8"`);
    expect(embed.html).toContain('data-live="low"');
    await endLiveSession(t.db.sql, { liveId: live.id, session: "sess01" });
  });

  test("the embed of a live off air shows where it stands (never a player for files that do not exist)", async () => {
    await endAll();
    const { video, live } = await makeLive(aliceUser, aliceChannel, { name: "Embedded" });
    let embed = await t.client().page(`/videos/embed/${video.shortId}`);
    expect(embed.html).toContain("The stream has not started yet.");
    expect(embed.html).not.toContain('id="player"');
    expect(embed.html).toContain('<meta http-equiv="refresh" content="10"/>');
    expect(await begin(live, alice.id, "emb01")).toBe("ok");
    await endLiveSession(t.db.sql, { liveId: live.id, session: "emb01" });
    embed = await t.client().page(`/videos/embed/${video.shortId}`);
    expect(embed.html).toContain("This live has ended.");
    expect(embed.html).not.toContain('http-equiv="refresh"');
    expect(embed.html).not.toContain('id="player"');
  });

  test("ended: a notice and the replay link once there is one", async () => {
    await endAll();
    const { video, live } = await makeLive(aliceUser, aliceChannel, { name: "Over now", saveReplay: true });
    expect(await begin(live, alice.id, "s1")).toBe("ok");
    await endLiveSession(t.db.sql, { liveId: live.id, session: "s1" });
    let page = await t.client().page(`/w/${video.shortId}`);
    expect(page.html).toContain("This live has ended.");
    expect(page.html).toContain("A replay will be published on this channel.");
    expect(page.html).not.toContain('id="player"');
    const replay = await seedVideo(t.db.sql, { channelId: aliceChannel, name: "Over now (replay)" });
    await setLiveReplay(t.db.sql, live.id, replay.id);
    page = await t.client().page(`/w/${video.shortId}`);
    expect(page.html).toContain(`href="/w/${replay.shortId}"`);
    expect(page.html).toContain("Watch the replay");
  });

  test("the owner's panel shows the server and the masked key, to the owner only", async () => {
    const { video, live } = await makeLive(aliceUser, aliceChannel, { name: "Panel test" });
    const mine = await aliceClient.page(`/w/${video.shortId}`);
    expect(mine.html).toContain('id="live-panel"');
    expect(mine.html).toContain('value="rtmp://localhost/live"');
    expect(mine.html).toMatch(new RegExp(`<input id="live-stream-key" class="live-secret" type="password" readonly value="${live.streamKey}"`));
    expect(mine.html).toContain(`hx-post="/w/${video.shortId}/live/key"`);
    for (const [who, client] of [["bob", bobClient], ["visitor", t.client()]] as const) {
      const html = (await client.page(`/w/${video.shortId}`)).html;
      expect({ who, panel: html.includes("live-panel"), key: html.includes(live.streamKey) }).toEqual({ who, panel: false, key: false });
    }
  });

  test("the title is escaped", async () => {
    const { video } = await makeLive(aliceUser, aliceChannel, { name: "<b>bold</b> live" });
    const { html } = await t.client().page(`/w/${video.shortId}`);
    expect(html).toContain('<h1 class="watch-title">&lt;b&gt;bold&lt;/b&gt; live</h1>');
    // Attribute values only need their quotes escaped; in the page's text, tags must be inert.
    expect(html.replace(/"[^"]*"/g, '""')).not.toContain("<b>bold</b>");
  });
});

describe("state events", () => {
  test("the stream sends the state at once, then the change soon after beginLiveSession and the end", async () => {
    await endAll();
    const { video, live } = await makeLive(aliceUser, aliceChannel, { name: "Eventful", saveReplay: true });
    const stream = await openLiveEvents(t.client("198.51.100.90"), video.shortId);
    try {
      expect(await stream.until((e) => e.state === "waiting")).toMatchObject({ session: null, masterUrl: null, replayUrl: null });
      // Published to, but no segment yet: still waiting, with nothing to load.
      expect(await beginLiveSession(t.db.sql, { liveId: live.id, userId: alice.id, session: "ev1", maxPerUser: 1, maxInstance: 2 })).toBe("ok");
      expect(await loadLiveStatus(t.deps, video.id)).toMatchObject({ state: "waiting", session: null, masterUrl: null });
      expect(await markLivePlayable(t.db.sql, { liveId: live.id, session: "ev1" })).toBe(true);
      expect(await stream.until((e) => e.state === "live", 3000)).toMatchObject({
        session: "ev1",
        masterUrl: `/static/live/${video.uuid}/ev1/master.m3u8`,
        hashesUrl: `/static/live/${video.uuid}/ev1/segments-sha256.json`,
      });
      await endLiveSession(t.db.sql, { liveId: live.id, session: "ev1" });
      await stream.until((e) => e.state === "ended", 3000);
      const replay = await seedVideo(t.db.sql, { channelId: aliceChannel, name: "Eventful replay" });
      await setLiveReplay(t.db.sql, live.id, replay.id);
      expect(await stream.until((e) => e.replayUrl !== null, 3000)).toMatchObject({ state: "ended", replayUrl: `/w/${replay.shortId}` });
    } finally {
      await stream.close();
    }
  });

  test("viewers are counted per open stream, and a closed stream is no longer counted", async () => {
    const { video } = await makeLive(aliceUser, aliceChannel, { name: "Counted" });
    const first = await openLiveEvents(t.client("198.51.100.91"), video.shortId);
    const second = await openLiveEvents(t.client("198.51.100.92"), video.shortId);
    try {
      expect(await first.until((e) => e.viewers === 2)).toMatchObject({ viewersLabel: "2 watching" });
      await second.close();
      await first.until((e) => e.viewers === 1 && first.events.indexOf(e) > 0);
    } finally {
      await first.close();
    }
  }, 10_000);

  test("streams per address are capped; events of a video that is not a live are 404", async () => {
    const { video } = await makeLive(aliceUser, aliceChannel, { name: "Capped" });
    const client = t.client("198.51.100.93");
    const open = [];
    for (let i = 0; i < 8; i++) open.push(await openLiveEvents(client, video.shortId));
    expect((await client.fetch(`/w/${video.shortId}/live/events`)).status).toBe(429);
    await Promise.all(open.map((s) => s.close()));
    const vod = await seedVideo(t.db.sql, { channelId: aliceChannel, name: "Not live" });
    expect((await t.client().fetch(`/w/${vod.shortId}/live/events`)).status).toBe(404);
  });
});

describe("files", () => {
  test("a live's playlists and hash map are served uncached; its segments are immutable", async () => {
    const { video } = await makeLive(aliceUser, aliceChannel, { name: "Files" });
    const dir = t.deps.layout.liveSessionDir(video.uuid, "f1");
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, "master.m3u8"), "#EXTM3U\n");
    await writeFile(join(dir, "segments-sha256.json"), "{}");
    await writeFile(join(dir, "360p-00001.ts"), new Uint8Array(188));
    const client = t.client();
    for (const file of ["master.m3u8", "segments-sha256.json"]) {
      const res = await client.fetch(`/static/live/${video.uuid}/f1/${file}`);
      expect({ file, status: res.status, cache: res.headers.get("cache-control") }).toEqual({ file, status: 200, cache: "no-cache" });
    }
    const segment = await client.fetch(`/static/live/${video.uuid}/f1/360p-00001.ts`);
    expect(segment.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    expect(segment.headers.get("content-type")).toBe("video/mp2t");
  });

  test("deleting a live video removes its files, and a late end of its session changes nothing", async () => {
    const { video, live } = await makeLive(aliceUser, aliceChannel, { name: "Short lived" });
    await endAll();
    expect(await begin(live, alice.id, "d1")).toBe("ok");
    const dir = t.deps.layout.liveSessionDir(video.uuid, "d1");
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, "master.m3u8"), "#EXTM3U\n");
    await aliceClient.page(`/w/${video.shortId}`);
    const res = await aliceClient.submit(`/w/${video.shortId}/delete`, {});
    expect(res.status).toBe(303);
    expect(await stat(t.deps.layout.liveDir(video.uuid)).then(() => true, () => false)).toBe(false);
    expect(await findLiveByVideoId(t.db.sql, video.id)).toBeNull();
    expect(await endLiveSession(t.db.sql, { liveId: live.id, session: "d1" })).toBeNull();
  });
});
