/**
 * Delivery retries against a real outage: B follows a channel of A, then B's server stops. A publishes a video;
 * its delivery to B fails, is retried with backoff, and B's host is paused after two consecutive failures. B
 * comes back on the same port, the retried job goes through, and A forgets B's failures.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { registerUser } from "../../src/accounts/service.ts";
import type { UserRow } from "../../src/accounts/queries.ts";
import { federateVideo } from "../../src/federation/videos.ts";
import { followChannel, startInstance, type Instance } from "../helpers/federation.ts";
import { waitFor } from "../helpers/processes.ts";
import { defaultChannelId, seedVideo } from "../helpers/videos.ts";

let a: Instance;
let b: Instance;
let alice: UserRow;

beforeAll(async () => {
  [a, b] = await Promise.all([
    // Quick retries and a short pause, so the outage plays out in seconds.
    startInstance("a", { TUBELET_FEDERATION_DELIVERY_BACKOFF_MS: "200", TUBELET_FEDERATION_HOST_PAUSE_AFTER: "2", TUBELET_FEDERATION_HOST_PAUSE_MS: "300" }),
    startInstance("b"),
  ]);
  alice = await registerUser({ sql: a.db.sql, config: a.config }, { username: "alice", email: "alice@example.org", password: "Correct-Horse-42" }, { bypassSignupMode: true });
}, 60_000);

afterAll(async () => {
  await Promise.all([a?.stop(), b?.stop()]);
}, 30_000);

test("a delivery to a server that is down is retried, pauses the host, and succeeds once it is back", async () => {
  await followChannel(b, a, "alice_channel");

  await b.down();
  const bHost = new URL(b.url).host;
  const video = await seedVideo(a.db.sql, { channelId: await defaultChannelId(a.db.sql, alice.id), name: "Delivered late" });
  await federateVideo({ sql: a.db.sql, config: a.config, queues: a.queues }, video.id, "create");
  const health = async () => {
    const [row] = await a.db.sql<{ consecutiveFailures: number; pausedUntil: Date | null }[]>`
      SELECT consecutive_failures, paused_until FROM federation_host_health WHERE host = ${bHost}`;
    return row ?? null;
  };
  const paused = await waitFor("B's host to be paused on A", async () => {
    const row = await health();
    return row && row.consecutiveFailures >= 2 && row.pausedUntil ? row : null;
  }, { timeoutMs: 20_000 });
  expect(paused.consecutiveFailures).toBeGreaterThanOrEqual(2);

  await b.up();
  await waitFor("the video to reach B after the outage", async () => (await b.db.sql`SELECT 1 FROM videos WHERE uuid = ${video.uuid}::uuid`).length > 0, { timeoutMs: 30_000 });
  await waitFor("A to forget B's failures", async () => (await health()) === null);
}, 90_000);
