/**
 * Instance follows managed by administrators, between Tubelet instances on loopback: B's admin follows A by host
 * from /admin/federation/following and A's next public video reaches B; A's admin removes B as a follower (B hears
 * the Reject); under manual approval (M) a follow waits for M's admin, who accepts or rejects it. Bad inputs get a
 * 400 with a message, non-admins a 403, forms without the CSRF token a 403.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { registerUser } from "../../src/accounts/service.ts";
import type { UserRow } from "../../src/accounts/queries.ts";
import { fetcherFor, instanceActor } from "../../src/federation/actors.ts";
import { followRemoteActor } from "../../src/federation/follows.ts";
import { federateVideo } from "../../src/federation/videos.ts";
import { createLayout } from "../../src/storage/layout.ts";
import { deleteVideo } from "../../src/videos/service.ts";
import type { TestClient } from "../helpers/app.ts";
import { loggedInClient, startInstance, waitForQueueIdle, type Instance } from "../helpers/federation.ts";
import { freePort, waitFor } from "../helpers/processes.ts";
import { defaultChannelId, seedVideo } from "../helpers/videos.ts";

const PASSWORD = "Correct-Horse-42";
const PAGE = "/admin/federation/following";
let a: Instance;
let b: Instance;
let m: Instance;
let alice: UserRow;
let mona: UserRow;

async function addUser(instance: Instance, username: string, role: "user" | "admin"): Promise<UserRow> {
  return registerUser({ sql: instance.db.sql, config: instance.config }, { username, email: `${username}@example.org`, password: PASSWORD, role }, { bypassSignupMode: true });
}

/** Whether `on` keeps a remote copy of the video. */
async function hasCopy(on: Instance, uuid: string): Promise<boolean> {
  const [row] = await on.db.sql`SELECT 1 FROM videos WHERE uuid = ${uuid}::uuid AND ap_id IS NOT NULL`;
  return Boolean(row);
}

/** A public video published on `on` by `owner`, sent to its followers as the transcode job does. */
async function publish(on: Instance, owner: UserRow, name: string) {
  const video = await seedVideo(on.db.sql, { channelId: await defaultChannelId(on.db.sql, owner.id), name });
  await federateVideo({ sql: on.db.sql, config: on.config, queues: on.queues }, video.id, "create");
  return video;
}

beforeAll(async () => {
  [a, b, m] = await Promise.all([startInstance("a"), startInstance("b"), startInstance("m", { TUBELET_FEDERATION_MANUAL_APPROVAL: "true" })]);
  await Promise.all([a, b, m].map((i) => addUser(i, "boss", "admin")));
  alice = await addUser(a, "alice", "user");
  mona = await addUser(m, "mona", "user");
  await addUser(b, "bob", "user");
}, 60_000);

afterAll(async () => {
  await Promise.all([a?.stop(), b?.stop(), m?.stop()]);
}, 30_000);

const host = (i: Instance) => new URL(i.url).host;

async function admin(instance: Instance): Promise<TestClient> {
  const client = await loggedInClient(instance, "boss", PASSWORD);
  expect((await client.page(PAGE)).status).toBe(200);
  return client;
}

/** The state of `follower`'s instance actor following `followed`'s, as `on` records it (null: no follow). */
async function instanceFollowState(on: Instance, follower: Instance, followed: Instance): Promise<string | null> {
  const [row] = await on.db.sql<{ state: string }[]>`
    SELECT s.state FROM subscriptions s JOIN actors f ON f.id = s.subscriber_id JOIN actors t ON t.id = s.channel_id
    WHERE coalesce(f.uri, ${`${on.url}/accounts/`} || f.handle) = ${`${follower.url}/accounts/peertube`}
      AND coalesce(t.uri, ${`${on.url}/accounts/`} || t.handle) = ${`${followed.url}/accounts/peertube`}`;
  return row?.state ?? null;
}

/** The follower row's ids on `on` (the followed side), for the page's per-follower buttons. */
async function followerIds(on: Instance, follower: Instance): Promise<{ followerId: number; followedId: number }> {
  const self = await instanceActor(on.db.sql, on.config);
  const [row] = await on.db.sql<{ followerId: number }[]>`
    SELECT s.subscriber_id::int AS follower_id FROM subscriptions s JOIN actors f ON f.id = s.subscriber_id
    WHERE s.channel_id = ${self.id} AND f.uri = ${`${follower.url}/accounts/peertube`}`;
  return { followerId: row!.followerId, followedId: self.id };
}

describe("following a whole instance", () => {
  test("B's admin follows A by host; A lists B as a follower; A's next public video reaches B", async () => {
    const boss = await admin(b);
    const response = await boss.submit(PAGE, { target: host(a) });
    expect(response.status).toBe(303);
    await waitFor("B's follow of A to be accepted", async () => (await instanceFollowState(b, b, a)) === "accepted", { timeoutMs: 20_000 });
    expect(await instanceFollowState(a, b, a)).toBe("accepted");

    const bPage = await boss.page(PAGE);
    expect(bPage.html).toContain(`peertube@${host(a)}`);
    expect(bPage.html).toContain("accepted");
    const aPage = await (await admin(a)).page(PAGE);
    expect(aPage.html).toContain(`peertube@${host(b)}`);
    expect(aPage.html).toContain("the instance");

    // Nobody on B follows alice or her channel: the video comes through the instance follow alone.
    const video = await publish(a, alice, "Harvest of beans");
    await waitFor("A's video to reach B", () => hasCopy(b, video.uuid), { timeoutMs: 20_000 });
    expect(await (await fetch(`${b.url}/search?q=beans`)).text()).toContain("Harvest of beans");
    const kept = await publish(a, alice, "Pole beans");
    await waitFor("A's second video to reach B", () => hasCopy(b, kept.uuid), { timeoutMs: 20_000 });

    // Its deletion reaches the instance's followers too.
    const videosDeps = { sql: a.db.sql, config: a.config, queues: a.queues, layout: createLayout(a.config.dataDir), views: null as never };
    await deleteVideo(videosDeps, alice, video.shortId);
    await waitFor("A's delete to reach B", async () => !(await hasCopy(b, video.uuid)), { timeoutMs: 20_000 });
    expect(await hasCopy(b, kept.uuid)).toBe(true);
  }, 60_000);

  test("A's admin removes follower B: gone on A at once, and B hears the Reject", async () => {
    expect(await instanceFollowState(a, b, a)).toBe("accepted");
    const boss = await admin(a);
    const { followerId, followedId } = await followerIds(a, b);
    const response = await boss.submit(`/admin/federation/followers/${followerId}/${followedId}/reject`, {});
    expect(response.status).toBe(303);
    expect(await instanceFollowState(a, b, a)).toBeNull();
    await waitFor("B to hear the Reject", async () => (await instanceFollowState(b, b, a)) === null, { timeoutMs: 20_000 });
    expect((await boss.page(PAGE)).html).not.toContain(`peertube@${host(b)}`);
  }, 60_000);

  test("B unfollows A from the page: the row goes on both sides", async () => {
    const boss = await admin(b);
    expect((await boss.submit(PAGE, { target: `${a.url}/accounts/peertube` })).status).toBe(303);
    await waitFor("B's second follow of A to be accepted", async () => (await instanceFollowState(b, b, a)) === "accepted", { timeoutMs: 20_000 });
    const [target] = await b.db.sql<{ id: number }[]>`SELECT id::int FROM actors WHERE uri = ${`${a.url}/accounts/peertube`}`;
    expect((await boss.submit(`${PAGE}/${target!.id}/delete`, {})).status).toBe(303);
    expect(await instanceFollowState(b, b, a)).toBeNull();
    await waitFor("A to hear the Undo", async () => (await instanceFollowState(a, b, a)) === null, { timeoutMs: 20_000 });
  }, 60_000);
});

describe("manual approval", () => {
  test("a follow of M waits on both sides until M's admin accepts it", async () => {
    const bBoss = await admin(b);
    expect((await bBoss.submit(PAGE, { target: host(m) })).status).toBe(303);
    await waitFor("M to record B's follow", async () => (await instanceFollowState(m, b, m)) === "pending", { timeoutMs: 20_000 });
    expect(await instanceFollowState(b, b, m)).toBe("pending");
    // A pending follower hears of nothing.
    const early = await publish(m, mona, "Before the answer");
    await waitForQueueIdle(m, "ap-deliver");
    await waitForQueueIdle(b, "ap-inbox");
    expect(await hasCopy(b, early.uuid)).toBe(false);
    const mBoss = await admin(m);
    const mPage = await mBoss.page(PAGE);
    expect(mPage.html).toContain(`peertube@${host(b)}`);
    expect(mPage.html).toContain("pending");
    const { followerId, followedId } = await followerIds(m, b);
    expect(mPage.html).toContain(`/admin/federation/followers/${followerId}/${followedId}/accept`);

    expect((await mBoss.submit(`/admin/federation/followers/${followerId}/${followedId}/accept`, {})).status).toBe(303);
    expect(await instanceFollowState(m, b, m)).toBe("accepted");
    await waitFor("B to hear the Accept", async () => (await instanceFollowState(b, b, m)) === "accepted", { timeoutMs: 20_000 });
    const later = await publish(m, mona, "After the answer");
    await waitFor("M's video to reach B once accepted", () => hasCopy(b, later.uuid), { timeoutMs: 20_000 });

    // B follows again (as after a lost Accept): M answers at once, without asking its admin again.
    const bActor = await instanceActor(b.db.sql, b.config);
    await followRemoteActor({ sql: b.db.sql, config: b.config, queues: b.queues, fetcher: fetcherFor(b.config) }, bActor.id, `${m.url}/accounts/peertube`);
    expect(await instanceFollowState(b, b, m)).toBe("pending");
    await waitFor("M to accept B's repeated follow", async () => (await instanceFollowState(b, b, m)) === "accepted", { timeoutMs: 20_000 });
    expect(await instanceFollowState(m, b, m)).toBe("accepted");
  }, 60_000);

  test("a follow of M that M's admin rejects is gone on both sides", async () => {
    const aBoss = await admin(a);
    expect((await aBoss.submit(PAGE, { target: host(m) })).status).toBe(303);
    await waitFor("M to record A's follow", async () => (await instanceFollowState(m, a, m)) === "pending", { timeoutMs: 20_000 });
    const mBoss = await admin(m);
    const { followerId, followedId } = await followerIds(m, a);
    expect((await mBoss.submit(`/admin/federation/followers/${followerId}/${followedId}/reject`, {})).status).toBe(303);
    expect(await instanceFollowState(m, a, m)).toBeNull();
    await waitFor("A to hear the Reject", async () => (await instanceFollowState(a, a, m)) === null, { timeoutMs: 20_000 });
    // B's accepted follow of M is untouched.
    expect(await instanceFollowState(m, b, m)).toBe("accepted");
  }, 60_000);
});

describe("bad inputs and permissions", () => {
  async function followCount(instance: Instance): Promise<number> {
    const self = await instanceActor(instance.db.sql, instance.config);
    const [row] = await instance.db.sql<{ n: number }[]>`SELECT count(*)::int AS n FROM subscriptions WHERE subscriber_id = ${self.id}`;
    return row!.n;
  }

  test("unknown hosts, non-ActivityPub hosts, our own host, blocked hosts and nonsense get a 400 and a message", async () => {
    const boss = await admin(a);
    const before = await followCount(a);
    const html = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response("<!doctype html><p>a blog</p>", { headers: { "content-type": "text/html" } }) });
    try {
      const closedPort = await freePort();
      const cases: [string, string][] = [
        [`127.0.0.1:${closedPort}`, "No ActivityPub instance answered for"],
        [`127.0.0.1:${html.port}`, "No ActivityPub instance answered for"],
        [host(a), "is this instance: it cannot follow itself"],
        [`${a.url}/accounts/peertube`, "is this instance: it cannot follow itself"],
        ["not a host at all", "Give a host name such as video.example"],
      ];
      for (const [target, message] of cases) {
        const response = await boss.submit(PAGE, { target });
        expect(response.status).toBe(400);
        const body = await response.text();
        expect(body).toContain(message);
        expect(body).toContain('role="alert"');
      }
      expect((await boss.submit("/admin/federation/blocks", { target: host(b) })).status).toBe(303);
      await boss.page(PAGE);
      const blocked = await boss.submit(PAGE, { target: host(b) });
      expect(blocked.status).toBe(400);
      expect(await blocked.text()).toContain(`${host(b)} is blocked`);
    } finally {
      html.stop(true);
    }
    expect(await followCount(a)).toBe(before);
  }, 60_000);

  test("non-admins get 403 on every route, and forms without the CSRF token are refused", async () => {
    const bob = await loggedInClient(b, "bob", PASSWORD);
    await bob.page("/");
    expect((await bob.page(PAGE)).status).toBe(403);
    const routes = [PAGE, `${PAGE}/1/delete`, "/admin/federation/followers/1/2/accept", "/admin/federation/followers/1/2/reject"];
    for (const path of routes) expect((await bob.submit(path, { target: host(a) })).status).toBe(403);
    const visitor = await fetch(`${b.url}${PAGE}`, { redirect: "manual" });
    expect([302, 303, 401, 403]).toContain(visitor.status);

    const boss = await admin(b);
    const before = await followCount(b);
    const noToken = await boss.fetch(PAGE, {
      method: "POST", body: new URLSearchParams({ target: host(a) }), headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    expect(noToken.status).toBe(403);
    expect(await followCount(b)).toBe(before);
  }, 30_000);
});
