/**
 * Tubelet instances for federation tests: each a real server on a free loopback port with its own database, data
 * folder and Redis prefix, federating over http on 127.0.0.1 (allowPrivate on), with quick delivery retries.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Queue } from "bullmq";
import { parseConfig, type Config } from "../../src/config.ts";
import { startServer, type Running } from "../../src/server.ts";
import { connectionFromUrl, createQueues, type Queues } from "../../src/queue/queues.ts";
import { createRedis } from "../../src/queue/redis.ts";
import { fetcherFor, instanceActor } from "../../src/federation/actors.ts";
import { followRemoteActor } from "../../src/federation/follows.ts";
import { TestClient } from "./app.ts";
import { createTestDatabase, uniqueName, type TestDatabase } from "./db.ts";
import { freePort, waitFor } from "./processes.ts";

export interface Instance {
  readonly url: string;
  readonly config: Config;
  readonly db: TestDatabase;
  readonly queues: Queues;
  /** Stops the server only (database, data and Redis stay), as a crash or a restart would. */
  down(): Promise<void>;
  /** Starts the server again on the same port. */
  up(): Promise<void>;
  stop(): Promise<void>;
}

/** `env` adds or overrides configuration (e.g. quicker host pauses). */
export async function startInstance(name: string, env: Record<string, string> = {}): Promise<Instance> {
  const db = await createTestDatabase({ migrated: false });
  const dataDir = await mkdtemp(join(tmpdir(), `tubelet-fed-${name}-`));
  const port = await freePort();
  const config = parseConfig({
    TUBELET_PORT: String(port),
    TUBELET_HOST: "127.0.0.1",
    TUBELET_PUBLIC_URL: `http://127.0.0.1:${port}`,
    DATABASE_URL: db.url,
    TUBELET_DATA_DIR: dataDir,
    TUBELET_REDIS_PREFIX: `${uniqueName(`fed${name}`)}:`,
    TUBELET_RTMP_PORT: "0",
    TUBELET_FEDERATION_ALLOW_PRIVATE: "true",
    TUBELET_FEDERATION_DELIVERY_BACKOFF_MS: "200",
    ...(process.env.REDIS_URL ? { REDIS_URL: process.env.REDIS_URL } : {}),
    ...env,
  });
  let running: Running | null;
  try {
    running = await startServer(config);
  } catch (error) {
    await db.drop();
    throw error;
  }
  const queues = createQueues(config.redisUrl, config.redisPrefix);
  return {
    url: `http://127.0.0.1:${port}`,
    config,
    db,
    queues,
    async down() {
      await running?.stop();
      running = null;
    },
    async up() {
      running ??= await startServer(config);
    },
    async stop() {
      await queues.close();
      await running?.stop();
      const redis = createRedis(config.redisUrl);
      const keys = await redis.keys(`${config.redisPrefix}*`);
      if (keys.length) await redis.del(...keys);
      redis.disconnect();
      await db.drop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** Waits until a queue of an instance has nothing waiting, running or delayed. */
export async function waitForQueueIdle(instance: Instance, queue: "ap-inbox" | "ap-deliver"): Promise<void> {
  const q = new Queue(queue, { connection: connectionFromUrl(instance.config.redisUrl), prefix: `${instance.config.redisPrefix}bull` });
  try {
    await waitFor(`${queue} of ${instance.url} to be idle`, async () => {
      const counts = await q.getJobCounts("waiting", "active", "delayed");
      return counts.waiting === 0 && counts.active === 0 && counts.delayed === 0;
    });
  } finally {
    await q.close();
  }
}

/** A logged-in browser-like client of an instance's real server (throws when the login fails). */
export async function loggedInClient(instance: Instance, username: string, password: string): Promise<TestClient> {
  const client = new TestClient((request) => {
    const url = new URL(request.url);
    return fetch(new Request(`${instance.url}${url.pathname}${url.search}`, request), { redirect: "manual" });
  }, "127.0.0.1");
  const login = await client.login(username, password);
  if (login.status !== 303) throw new Error(`${username} could not log in to ${instance.url}: ${login.status}`);
  return client;
}

/** The instance actor of `follower` follows `channel` on `origin`; resolves once the origin accepted. */
export async function followChannel(follower: Instance, origin: Instance, channel: string): Promise<void> {
  const actor = await instanceActor(follower.db.sql, follower.config);
  const deps = { sql: follower.db.sql, config: follower.config, queues: follower.queues, fetcher: fetcherFor(follower.config) };
  const followId = await followRemoteActor(deps, actor.id, `${origin.url}/video-channels/${channel}`);
  await waitFor(`${follower.url}'s follow of ${channel} to be accepted`, async () => {
    const [row] = await follower.db.sql`SELECT state FROM subscriptions WHERE follow_activity_id = ${followId}`;
    return row?.state === "accepted";
  });
}
