/** The system under test: the compiled binary, a throw-away instance (database, Redis prefix, data folder), seed data. */
import { existsSync, readdirSync, statSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import Redis from "ioredis";
import { parseConfig, type Config } from "../../src/config.ts";
import { registerUser } from "../../src/accounts/service.ts";
import { createChannel } from "../../src/channels/service.ts";
import { createTestDatabase, uniqueName, type TestDatabase } from "../../test/helpers/db.ts";
import type { Cleanup } from "./cleanup.ts";
import { BENCH_HOST, freePort, runOrThrow, spawnServer, type ServerProcess } from "./process.ts";

export const PROJECT_ROOT = resolve(import.meta.dir, "../..");
export const BINARY = join(PROJECT_ROOT, "dist", "tubelet");

/** Everything `bun run build` embeds; public/build is left out because the build itself writes it. */
const BUILD_INPUTS = ["src", "views", "migrations", "public", "scripts/build.ts", "package.json", "bun.lock"];

function newestMtime(path: string): number {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of readdirSync(path)) {
    if (path === join(PROJECT_ROOT, "public") && entry === "build") continue;
    newest = Math.max(newest, newestMtime(join(path, entry)));
  }
  return newest;
}

/** True when dist/tubelet exists and is newer than everything it is built from. */
export function binaryIsFresh(): boolean {
  const built = existsSync(BINARY) ? statSync(BINARY).mtimeMs : 0;
  return built >= Math.max(...BUILD_INPUTS.map((input) => newestMtime(join(PROJECT_ROOT, input))));
}

/** Builds dist/tubelet when it is missing or older than any of its sources, so we never measure stale code. */
export async function ensureBinary(): Promise<string> {
  if (!binaryIsFresh()) {
    console.log(existsSync(BINARY) ? "bench: dist/tubelet is older than its sources; rebuilding" : "bench: dist/tubelet is missing; building");
    await runOrThrow("bun run build", [process.execPath, "run", "build"], { cwd: PROJECT_ROOT });
  }
  return BINARY;
}

/** A throw-away instance: its own database, Redis key prefix and data folder, all removed by `cleanup`. */
export interface BenchInstance {
  readonly db: TestDatabase;
  readonly config: Config;
  readonly dataDir: string;
  /** Environment for `tubelet serve` listening on `port`. */
  env(port: number): Record<string, string>;
}

export async function createInstance(cleanup: Cleanup, options: { migrated: boolean }): Promise<BenchInstance> {
  const db = await createTestDatabase({ migrated: options.migrated });
  cleanup.defer(`drop database ${new URL(db.url).pathname.slice(1)}`, () => db.drop());
  const dataDir = await mkdtemp(join(tmpdir(), "tubelet-bench-"));
  cleanup.defer(`remove ${dataDir}`, () => rm(dataDir, { recursive: true, force: true }));
  const redisPrefix = `${uniqueName("bench")}:`;
  const base = {
    DATABASE_URL: db.url,
    REDIS_URL: process.env.REDIS_URL ?? "redis://127.0.0.1:6379",
    TUBELET_HOST: BENCH_HOST,
    TUBELET_DATA_DIR: dataDir,
    TUBELET_REDIS_PREFIX: redisPrefix,
    TUBELET_INSTANCE_NAME: "Tubelet bench",
    TUBELET_RTMP_PORT: "0",
  };
  const config = parseConfig(base);
  cleanup.defer(`delete Redis keys ${redisPrefix}*`, () => deleteRedisKeys(config.redisUrl, redisPrefix));
  return { db, config, dataDir, env: (port) => ({ ...base, TUBELET_PORT: String(port) }) };
}

/** Deletes the keys a run left under its prefix (rate-limit counters, queues), so Redis does not fill up. */
async function deleteRedisKeys(redisUrl: string, prefix: string): Promise<void> {
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    let cursor = "0";
    do {
      const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 500);
      if (keys.length > 0) await redis.del(...keys);
      cursor = next;
    } while (cursor !== "0");
  } finally {
    redis.disconnect();
  }
}

const PEOPLE = ["ana", "bruno", "chen", "dara"];

/**
 * Registers four users through the same service as the sign-up form; each gets a default channel and two more,
 * which fills the home page's list of twelve newest channels. Returns a channel handle for the channel page.
 */
export async function seedInstance(instance: BenchInstance): Promise<{ channelHandle: string }> {
  const deps = { sql: instance.db.sql, config: instance.config };
  for (const name of PEOPLE) {
    const user = await registerUser(
      deps,
      { username: name, email: `${name}@example.org`, password: `bench-Secret-42-${name.length}`, displayName: name.toUpperCase() },
      { bypassSignupMode: true },
    );
    for (const topic of ["cooking", "travel"]) {
      await createChannel(deps, user, {
        handle: `${name}_${topic}`,
        displayName: `${name.toUpperCase()} on ${topic}`,
        description: `Short videos about ${topic}, posted every week. Subscribe to follow along.`,
        support: `Support ${name} on their own site.`,
      });
    }
  }
  return { channelHandle: `${PEOPLE[0]}_cooking` };
}

/** Starts `tubelet serve` for `instance` on a free loopback port. */
export function startTubelet(cleanup: Cleanup, instance: BenchInstance, name = "tubelet"): ServerProcess {
  const port = freePort();
  // Run from the data folder so a tubelet.toml lying in the project cannot change what is measured.
  return spawnServer(cleanup, name, [BINARY, "serve"], { port, env: instance.env(port), cwd: instance.dataDir });
}

/** Starts the bare Bun.serve baseline with `bun`, serving a page of `htmlBytes` bytes. */
export function startBaseline(cleanup: Cleanup, htmlBytes: number, name = "baseline"): ServerProcess {
  const port = freePort();
  const script = join(PROJECT_ROOT, "bench", "lib", "baseline-server.ts");
  return spawnServer(cleanup, name, [process.execPath, script], {
    port,
    env: { BENCH_PORT: String(port), BENCH_HTML_BYTES: String(htmlBytes) },
    cwd: PROJECT_ROOT,
  });
}
