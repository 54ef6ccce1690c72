/**
 * Two Tubelet instances on loopback (startServer on free ports, each with its own database and Redis prefix):
 * B's instance actor follows a channel of A through B's own delivery queue; A accepts; B sees the Accept.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { Queue } from "bullmq";
import { registerUser } from "../../src/accounts/service.ts";
import { connectionFromUrl } from "../../src/queue/queues.ts";
import { fetcherFor, instanceActor } from "../../src/federation/actors.ts";
import { followRemoteActor } from "../../src/federation/follows.ts";
import { enqueueDeliveries } from "../../src/federation/delivery.ts";
import { toFollowActivity } from "../../src/federation/objects.ts";
import { startInstance, type Instance } from "../helpers/federation.ts";
import { waitFor } from "../helpers/processes.ts";

let a: Instance;
let b: Instance;

beforeAll(async () => {
  [a, b] = await Promise.all([startInstance("a"), startInstance("b")]);
  await registerUser({ sql: a.db.sql, config: a.config }, { username: "alice", email: "alice@example.org", password: "Correct-Horse-42" }, { bypassSignupMode: true });
}, 30_000);

afterAll(async () => {
  await Promise.all([a?.stop(), b?.stop()]);
}, 30_000);

const ap = { accept: "application/activity+json" };

test("WebFinger and NodeInfo answer over HTTP", async () => {
  const host = new URL(a.url).host;
  const jrd = (await (await fetch(`${a.url}/.well-known/webfinger?resource=acct:alice_channel@${host}`)).json()) as { links: { rel: string; href?: string }[] };
  expect(jrd.links.find((l) => l.rel === "self")?.href).toBe(`${a.url}/video-channels/alice_channel`);
  const links = (await (await fetch(`${a.url}/.well-known/nodeinfo`)).json()) as { links: { rel: string; href: string }[] };
  const info = (await (await fetch(links.links[0]!.href)).json()) as { software: { name: string }; usage: { users: { total: number } } };
  expect(info).toMatchObject({ software: { name: "tubelet" }, usage: { users: { total: 1 } } });
});

test("B follows A's channel; A accepts; both sides agree, and a redelivered Follow changes nothing", async () => {
  const channelUri = `${a.url}/video-channels/alice_channel`;
  const bActor = await instanceActor(b.db.sql, b.config);
  const bActorUri = `${b.url}/accounts/${bActor.handle}`;
  const deps = { sql: b.db.sql, config: b.config, queues: b.queues, fetcher: fetcherFor(b.config) };
  const followId = await followRemoteActor(deps, bActor.id, channelUri);

  // B's Follow travels through B's ap-deliver worker; A's inbox worker accepts and delivers the Accept back.
  await waitFor("B's follow to be accepted", async () => {
    const [row] = await b.db.sql`SELECT state FROM subscriptions WHERE follow_activity_id = ${followId}`;
    return row?.state === "accepted";
  });
  const followers = async () =>
    (await (await fetch(`${channelUri}/followers?page=1`, { headers: ap })).json()) as { totalItems: number; orderedItems: string[] };
  expect(await followers()).toMatchObject({ totalItems: 1, orderedItems: [bActorUri] });
  const summary = (await (await fetch(`${channelUri}/followers`, { headers: ap })).json()) as { totalItems: number };
  expect(summary.totalItems).toBe(1);

  // The same Follow delivered again (same activity id): A applies it once, so B gets no second Accept.
  const redelivery = new Queue("ap-deliver", { connection: connectionFromUrl(b.config.redisUrl), prefix: `${b.config.redisPrefix}bull` });
  try {
    const before = (await redelivery.getJobCounts("completed")).completed!;
    await enqueueDeliveries(b.queues, b.config, [{ signerActorId: bActor.id, activity: toFollowActivity(followId, bActorUri, channelUri), inboxes: [`${channelUri}/inbox`] }]);
    await waitFor("the redelivery to be done", async () => (await redelivery.getJobCounts("completed")).completed! > before);
  } finally {
    await redelivery.close();
  }
  const inboxA = new Queue("ap-inbox", { connection: connectionFromUrl(a.config.redisUrl), prefix: `${a.config.redisPrefix}bull` });
  try {
    await waitFor("A's inbox queue to be idle", async () => {
      const counts = await inboxA.getJobCounts("waiting", "active", "delayed");
      return counts.waiting === 0 && counts.active === 0 && counts.delayed === 0;
    });
  } finally {
    await inboxA.close();
  }
  expect((await followers()).totalItems).toBe(1);
  const [seen] = await a.db.sql`SELECT count(*)::int AS n FROM ap_inbox_seen WHERE activity_id = ${followId}`;
  expect(seen!.n).toBe(1);
  const [accepts] = await b.db.sql`SELECT count(*)::int AS n FROM ap_inbox_seen WHERE activity_id LIKE ${`${channelUri}/accepts/%`}`;
  expect(accepts!.n).toBe(1);
});
