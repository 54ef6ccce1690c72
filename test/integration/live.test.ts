/** Lives in the app: creating them (service, page, API), stream keys and settings, on-air state and its limits. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createTestApp, type TestApp, type TestClient } from "../helpers/app.ts";
import { apiAs, createLiveFixture, type LiveFixture } from "../helpers/live.ts";
import { defaultChannelId, seedVideo } from "../helpers/videos.ts";
import type { UserRow } from "../../src/accounts/queries.ts";
import { endLeftoverLives, endLiveSession, findLiveForPublish, setLiveReplay } from "../../src/live/queries.ts";
import { createLive, parseLatencyMode, parseLiveSettings } from "../../src/live/service.ts";
import { HttpError } from "../../src/http/errors.ts";

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
const countRows: LiveFixture["countRows"] = (table) => f.countRows(table);

describe("settings parsing", () => {
  test("latency mode takes PeerTube's numbers and our words", () => {
    expect(parseLatencyMode(1)).toBe("normal");
    expect(parseLatencyMode("1")).toBe("normal");
    expect(parseLatencyMode(2)).toBe("normal");
    expect(parseLatencyMode(3)).toBe("low");
    expect(parseLatencyMode("low")).toBe("low");
    expect(parseLatencyMode("normal")).toBe("normal");
    expect(parseLatencyMode("fast")).toBeUndefined();
    expect(parseLatencyMode(4)).toBeUndefined();
  });

  test("form checkboxes and JSON booleans; bad values are problems by field", () => {
    expect(parseLiveSettings({ saveReplay: "on", permanentLive: true, latencyMode: "3" })).toEqual({
      settings: { saveReplay: true, permanent: true, latencyMode: "low" },
      problems: {},
    });
    expect(parseLiveSettings({}).settings).toEqual({ saveReplay: false, permanent: false, latencyMode: "normal" });
    expect(Object.keys(parseLiveSettings({ saveReplay: "maybe", permanentLive: 7, latencyMode: 9 }).problems).sort()).toEqual([
      "latencyMode",
      "permanentLive",
      "saveReplay",
    ]);
  });
});

describe("createLive", () => {
  test("writes a published live video, waiting, with a long random key", async () => {
    const { video, live } = await makeLive(aliceUser, aliceChannel, { saveReplay: true, latencyMode: 3 });
    expect(video.isLive).toBe(true);
    expect(video.state).toBe("published");
    expect(video.duration).toBe(0);
    expect(video.originalPath).toBeNull();
    expect(live.state).toBe("waiting");
    expect(live.saveReplay).toBe(true);
    expect(live.permanent).toBe(false);
    expect(live.latencyMode).toBe("low");
    expect(live.streamKey).toMatch(/^[\w-]{32,}$/);
    expect((await makeLive(aliceUser, aliceChannel)).live.streamKey).not.toBe(live.streamKey);
  });

  test("bad fields are a 400 with a message per field, and nothing is written", async () => {
    const before = [await countRows("videos"), await countRows("lives")];
    let error: unknown;
    try {
      await createLive(t.deps, aliceUser, { name: "", channelId: bobChannel, privacy: 1, latencyMode: "instant" });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(HttpError);
    expect((error as HttpError).status).toBe(400);
    expect(Object.keys((error as HttpError).fields ?? {}).sort()).toEqual(["channelId", "latencyMode", "name"]);
    expect([await countRows("videos"), await countRows("lives")]).toEqual(before);
  });
});

describe("publish sessions", () => {
  test("a key finds its live with its owner; an unknown key finds nothing", async () => {
    const { video, live } = await makeLive(aliceUser, aliceChannel, { permanentLive: true });
    const found = await findLiveForPublish(t.db.sql, live.streamKey);
    expect(found).toEqual({
      liveId: live.id,
      videoId: video.id,
      uuid: video.uuid,
      userId: alice.id,
      channelId: aliceChannel,
      name: "A live show",
      privacy: 1,
      state: "waiting",
      permanent: true,
      saveReplay: false,
      latencyMode: "normal",
      session: null,
    });
    expect(await findLiveForPublish(t.db.sql, "x".repeat(43))).toBeNull();
    expect(await findLiveForPublish(t.db.sql, "")).toBeNull();
  });

  test("ok, then already_live for a second session; the state, session and start time are set", async () => {
    await endAll();
    const { video } = await makeLive(aliceUser, aliceChannel);
    const live = await liveOf(video.id);
    expect(await begin(live, alice.id, "first")).toBe("ok");
    expect(await begin(live, alice.id, "second")).toBe("already_live");
    const after = await liveOf(video.id);
    expect(after.state).toBe("live");
    expect(after.session).toBe("first");
    expect(after.startedAt).toBeInstanceOf(Date);
    expect(after.endedAt).toBeNull();
  });

  test("one live on air per user (the configured limit), then the instance limit", async () => {
    await endAll();
    const a1 = await liveOf((await makeLive(aliceUser, aliceChannel)).video.id);
    const a2 = await liveOf((await makeLive(aliceUser, aliceChannel)).video.id);
    const b1 = await liveOf((await makeLive(bobUser, bobChannel)).video.id);
    const b2 = await liveOf((await makeLive(bobUser, bobChannel)).video.id);
    expect(await begin(a1, alice.id)).toBe("ok");
    expect(await begin(a2, alice.id)).toBe("user_limit");
    expect(await begin(b1, bob.id, undefined, { maxPerUser: 5, maxInstance: 2 })).toBe("ok");
    expect(await begin(b2, bob.id, undefined, { maxPerUser: 5, maxInstance: 2 })).toBe("instance_limit");
    expect((await liveOf(a2.videoId)).state).toBe("waiting");
    expect((await liveOf(b2.videoId)).state).toBe("waiting");
  });

  test("ten publishers racing on one key: exactly one wins", async () => {
    await endAll();
    const live = await liveOf((await makeLive(aliceUser, aliceChannel)).video.id);
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => begin(live, alice.id, `race${i}`)));
    expect(results.filter((r) => r === "ok")).toHaveLength(1);
    expect(results.filter((r) => r === "already_live")).toHaveLength(9);
    const winner = results.indexOf("ok");
    expect((await liveOf(live.videoId)).session).toBe(`race${winner}`);
  });

  test("racing for the last place under the instance limit: exactly one wins", async () => {
    await endAll();
    const lives = await Promise.all(Array.from({ length: 6 }, async () => liveOf((await makeLive(bobUser, bobChannel)).video.id)));
    const results = await Promise.all(lives.map((l) => begin(l, bob.id, undefined, { maxPerUser: 100, maxInstance: 1 })));
    expect(results.filter((r) => r === "ok")).toHaveLength(1);
    expect(results.filter((r) => r === "instance_limit")).toHaveLength(5);
  });

  test("an end with a stale session changes nothing", async () => {
    await endAll();
    const live = await liveOf((await makeLive(aliceUser, aliceChannel)).video.id);
    expect(await begin(live, alice.id, "current")).toBe("ok");
    expect(await endLiveSession(t.db.sql, { liveId: live.id, session: "older" })).toBeNull();
    expect((await liveOf(live.videoId)).state).toBe("live");
    expect(await endLiveSession(t.db.sql, { liveId: live.id, session: "current" })).toBe("ended");
    expect(await endLiveSession(t.db.sql, { liveId: live.id, session: "current" })).toBeNull();
  });

  test("a permanent live goes back to waiting and can begin again; another ends for good", async () => {
    await endAll();
    const permanent = await liveOf((await makeLive(aliceUser, aliceChannel, { permanentLive: true })).video.id);
    expect(await begin(permanent, alice.id, "one")).toBe("ok");
    expect(await endLiveSession(t.db.sql, { liveId: permanent.id, session: "one" })).toBe("waiting");
    const waiting = await liveOf(permanent.videoId);
    expect(waiting.state).toBe("waiting");
    expect(waiting.endedAt).toBeInstanceOf(Date);
    expect(await begin(permanent, alice.id, "two")).toBe("ok");
    expect(await endLiveSession(t.db.sql, { liveId: permanent.id, session: "two" })).toBe("waiting");

    const once = await liveOf((await makeLive(aliceUser, aliceChannel)).video.id);
    expect(await begin(once, alice.id, "one")).toBe("ok");
    expect(await endLiveSession(t.db.sql, { liveId: once.id, session: "one" })).toBe("ended");
    expect(await begin(once, alice.id, "two")).toBe("ended");
    expect((await liveOf(once.videoId)).state).toBe("ended");
  });

  test("endLeftoverLives takes every live off air, as an end would", async () => {
    await endAll();
    const permanent = await liveOf((await makeLive(aliceUser, aliceChannel, { permanentLive: true })).video.id);
    const once = await liveOf((await makeLive(bobUser, bobChannel)).video.id);
    expect(await begin(permanent, alice.id)).toBe("ok");
    expect(await begin(once, bob.id)).toBe("ok");
    expect((await endLeftoverLives(t.db.sql)).map((l) => l.liveId).sort((a, b) => a - b)).toEqual([permanent.id, once.id].sort((a, b) => a - b));
    expect((await liveOf(permanent.videoId)).state).toBe("waiting");
    expect((await liveOf(once.videoId)).state).toBe("ended");
    expect(await endLeftoverLives(t.db.sql)).toEqual([]);
  });

  test("an end after the live was deleted is a no-op", async () => {
    await endAll();
    const live = await liveOf((await makeLive(aliceUser, aliceChannel)).video.id);
    expect(await begin(live, alice.id, "gone")).toBe("ok");
    await t.db.sql`DELETE FROM videos WHERE id = ${live.videoId}`;
    expect(await endLiveSession(t.db.sql, { liveId: live.id, session: "gone" })).toBeNull();
    expect(await begin(live, alice.id)).toBe("ended");
  });

  test("setLiveReplay links the replay", async () => {
    await endAll();
    const live = await liveOf((await makeLive(aliceUser, aliceChannel)).video.id);
    const replay = await seedVideo(t.db.sql, { channelId: aliceChannel, name: "The replay" });
    await setLiveReplay(t.db.sql, live.id, replay.id);
    const after = await liveOf(live.videoId);
    expect(after.replayVideoId).toBe(replay.id);
    expect(after.replayShortId).toBe(replay.shortId);
  });
});

async function bearerToken(username: string, password: string): Promise<string> {
  const oauth = await (await t.client().fetch("/api/v1/oauth-clients/local")).json();
  const res = await t.client().fetch("/api/v1/users/token", {
    method: "POST",
    body: new URLSearchParams({ client_id: oauth.client_id, client_secret: oauth.client_secret, grant_type: "password", username, password }),
    headers: { "content-type": "application/x-www-form-urlencoded" },
  });
  expect(res.status).toBe(200);
  return (await res.json()).access_token;
}

describe("the video API for a live", () => {
  test("PeerTube's live states, and the session's playlist only while on air; never a thumbnail or a file", async () => {
    await endAll();
    const { video } = await makeLive(aliceUser, aliceChannel);
    const read = async () => (await (await t.client("198.51.100.70").fetch(`/api/v1/videos/${video.uuid}`)).json()) as Record<string, any>;
    let json = await read();
    expect(json).toMatchObject({ isLive: true, state: { id: 4 }, streamingPlaylists: [], thumbnailPath: null, files: [] });
    const live = await liveOf(video.id);
    expect(await begin(live, alice.id, "onair1")).toBe("ok");
    json = await read();
    expect(json.state.id).toBe(1);
    expect(json.streamingPlaylists).toHaveLength(1);
    expect(json.streamingPlaylists[0].playlistUrl).toEndWith(`/static/live/${video.uuid}/onair1/master.m3u8`);
    expect(json.streamingPlaylists[0].segmentsSha256Url).toEndWith(`/static/live/${video.uuid}/onair1/segments-sha256.json`);
    await endLiveSession(t.db.sql, { liveId: live.id, session: "onair1" });
    json = await read();
    expect(json).toMatchObject({ state: { id: 5, label: "Livestream ended" }, streamingPlaylists: [] });
  });
});

describe("creating a live", () => {
  test("the form creates it and goes to its watch page", async () => {
    const form = await aliceClient.page("/videos/live/new");
    expect(form.status).toBe(200);
    expect(form.html).toContain('name="latencyMode" value="low"');
    expect(form.html).toContain('<a href="/videos/live/new">Go live</a>');
    expect(form.html).toContain("About 3 seconds behind, for talking with your audience");
    const res = await aliceClient.submit("/videos/live/new", {
      name: "Form live",
      channelId: String(aliceChannel),
      privacy: "1",
      saveReplay: "on",
      latencyMode: "low",
    });
    expect(res.status).toBe(303);
    const location = res.headers.get("location")!;
    expect(location).toMatch(/^\/w\/\w+$/);
    const [row] = await t.db.sql<{ isLive: boolean; saveReplay: boolean; permanent: boolean; latencyMode: string }[]>`
      SELECT v.is_live, l.save_replay, l.permanent, l.latency_mode FROM videos v JOIN lives l ON l.video_id = v.id
      WHERE v.short_id = ${location.slice(3)}`;
    expect(row).toEqual({ isLive: true, saveReplay: true, permanent: false, latencyMode: "low" });
  });

  test("the form shows the problems beside the fields and writes nothing", async () => {
    const before = await countRows("lives");
    const res = await aliceClient.submit("/videos/live/new", { name: "", channelId: String(bobChannel), privacy: "1", latencyMode: "warp" });
    expect(res.status).toBe(400);
    const html = await res.text();
    expect(html).toContain("A title has 3 to 120 characters.");
    expect(html).toContain("Choose one of your channels.");
    expect(html).toContain("Latency mode is 1");
    expect(await countRows("lives")).toBe(before);
  });

  test("visitors are sent to log in", async () => {
    expect((await t.client().fetch("/videos/live/new")).status).toBe(303);
  });

  test("the API creates it, with PeerTube's fields, by bearer token", async () => {
    const token = await bearerToken(bob.username, bob.password);
    const res = await t.client().fetch("/api/v1/videos/live", {
      method: "POST",
      body: JSON.stringify({ channelId: bobChannel, name: "API live", privacy: 2, permanentLive: true, saveReplay: false, latencyMode: 3 }),
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    });
    expect(res.status).toBe(200);
    const { video } = await res.json();
    expect(Object.keys(video).sort()).toEqual(["id", "shortUUID", "uuid"]);
    const live = await liveOf(video.id);
    expect(live).toMatchObject({ permanent: true, saveReplay: false, latencyMode: "low", state: "waiting" });
    const got = await t.client().fetch(`/api/v1/videos/live/${video.id}`, { headers: { authorization: `Bearer ${token}` } });
    expect(await got.json()).toEqual({
      rtmpUrl: "rtmp://localhost/live",
      rtmpsUrl: null,
      streamKey: live.streamKey,
      saveReplay: false,
      permanentLive: true,
      latencyMode: 3,
    });
  });

  test("the API refuses bad input with messages per field and writes nothing", async () => {
    const before = [await countRows("videos"), await countRows("lives")];
    const cases: [Record<string, unknown>, string][] = [
      [{ channelId: aliceChannel, privacy: 1 }, "name"],
      [{ channelId: bobChannel, name: "Not my channel", privacy: 1 }, "channelId"],
      [{ channelId: aliceChannel, name: "Bad latency", privacy: 1, latencyMode: 7 }, "latencyMode"],
      [{ channelId: aliceChannel, name: "Bad privacy", privacy: 9 }, "privacy"],
    ];
    for (const [body, field] of cases) {
      const res = await apiAs(aliceClient, "/api/v1/videos/live", { method: "POST", body });
      expect({ field, status: res.status }).toEqual({ field, status: 400 });
      const problem = await res.json();
      expect(Object.keys(problem["invalid-params"] ?? problem.fields ?? {})).toContain(field);
    }
    expect([await countRows("videos"), await countRows("lives")]).toEqual(before);
    expect((await t.client().fetch("/api/v1/videos/live", { method: "POST", body: "{}", headers: { "content-type": "application/json" } })).status).toBe(401);
  });

  test("when lives are turned off, creating one is refused with a message", async () => {
    const off = await createTestApp({ TUBELET_LIVE_ALLOW: "false" });
    try {
      const u = await off.createUser("dave");
      const c = off.client();
      await c.login(u.username, u.password);
      await c.page("/");
      const res = await c.fetch("/api/v1/videos/live", {
        method: "POST",
        body: JSON.stringify({ channelId: await defaultChannelId(off.db.sql, u.id), name: "Nope", privacy: 1 }),
        headers: { "content-type": "application/json", "x-csrf-token": c.csrf },
      });
      expect(res.status).toBe(403);
      expect((await res.json()).detail).toBe("Lives are turned off on this instance.");
      expect((await c.page("/videos/live/new")).html).toContain("Lives are turned off on this instance.");
    } finally {
      await off.close();
    }
    // A second app on its own database: more than the default 5 s on a busy machine.
  }, 20_000);
});

describe("stream keys and settings", () => {
  test("GET shows the key to the owner and admins only: 401 for visitors, 403 for others", async () => {
    const { video, live } = await makeLive(aliceUser, aliceChannel);
    expect((await (await apiAs(aliceClient, `/api/v1/videos/live/${video.id}`)).json()).streamKey).toBe(live.streamKey);
    expect((await (await apiAs(adminClient, `/api/v1/videos/live/${video.shortId}`)).json()).streamKey).toBe(live.streamKey);
    const other = await apiAs(bobClient, `/api/v1/videos/live/${video.id}`);
    expect(other.status).toBe(403);
    expect(JSON.stringify(await other.json())).not.toContain(live.streamKey);
    const visitor = await t.client().fetch(`/api/v1/videos/live/${video.id}`);
    expect(visitor.status).toBe(401);
    expect(await visitor.text()).not.toContain(live.streamKey);
  });

  test("a video that is not a live has no live settings", async () => {
    const vod = await seedVideo(t.db.sql, { channelId: aliceChannel, name: "Just a video" });
    expect((await apiAs(aliceClient, `/api/v1/videos/live/${vod.id}`)).status).toBe(404);
  });

  test("a new key replaces the old one, which no longer opens the live", async () => {
    const { video, live } = await makeLive(aliceUser, aliceChannel);
    await aliceClient.page(`/w/${video.shortId}`);
    const res = await aliceClient.fetch(`/w/${video.shortId}/live/key`, { method: "POST", headers: { "hx-request": "true", "x-csrf-token": aliceClient.csrf } });
    expect(res.status).toBe(200);
    const fresh = await liveOf(video.id);
    expect(fresh.streamKey).not.toBe(live.streamKey);
    expect(await res.text()).toContain(`value="${fresh.streamKey}"`);
    expect(await findLiveForPublish(t.db.sql, live.streamKey)).toBeNull();
    expect((await findLiveForPublish(t.db.sql, fresh.streamKey))?.liveId).toBe(live.id);
    // Others cannot, and a form without its token is refused.
    await bobClient.page("/");
    expect((await bobClient.submit(`/w/${video.shortId}/live/key`, {})).status).toBe(403);
    expect((await aliceClient.fetch(`/w/${video.shortId}/live/key`, { method: "POST" })).status).toBe(403);
    expect((await liveOf(video.id)).streamKey).toBe(fresh.streamKey);
  });

  test("key and settings cannot change while on air (409 with a message)", async () => {
    await endAll();
    const { video, live } = await makeLive(aliceUser, aliceChannel);
    expect(await begin(live, alice.id, "onair")).toBe("ok");
    await aliceClient.page(`/w/${video.shortId}`);
    const key = await aliceClient.submit(`/w/${video.shortId}/live/key`, {});
    expect(key.status).toBe(409);
    const put = await apiAs(aliceClient, `/api/v1/videos/live/${video.id}`, { method: "PUT", body: { saveReplay: true } });
    expect(put.status).toBe(409);
    expect((await put.json()).detail).toContain("stop streaming first");
    expect((await liveOf(video.id)).streamKey).toBe(live.streamKey);
    await endLiveSession(t.db.sql, { liveId: live.id, session: "onair" });
  });

  test("PUT changes replay, permanence and latency for the owner; others get 403", async () => {
    const { video } = await makeLive(aliceUser, aliceChannel);
    const res = await apiAs(aliceClient, `/api/v1/videos/live/${video.id}`, { method: "PUT", body: { saveReplay: true, permanentLive: true, latencyMode: 3 } });
    expect(res.status).toBe(204);
    expect(await liveOf(video.id)).toMatchObject({ saveReplay: true, permanent: true, latencyMode: "low" });
    expect((await apiAs(aliceClient, `/api/v1/videos/live/${video.id}`, { method: "PUT", body: { latencyMode: "slow" } })).status).toBe(400);
    expect((await apiAs(bobClient, `/api/v1/videos/live/${video.id}`, { method: "PUT", body: { saveReplay: false } })).status).toBe(403);
    expect((await liveOf(video.id)).saveReplay).toBe(true);
  });
});

describe("OpenAPI", () => {
  test("documents the live endpoints", async () => {
    const doc = await (await t.client().fetch("/api/v1/openapi.json")).json();
    expect(Object.keys(doc.paths["/videos/live"])).toEqual(["post"]);
    expect(Object.keys(doc.paths["/videos/live/{id}"]).sort()).toEqual(["get", "put"]);
  });
});
