/**
 * The compiled executable, as an operator runs it: from an empty folder with no node_modules, configured
 * by environment variables only, talking to a real PostgreSQL and Redis over real HTTP.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pkg from "../../package.json" with { type: "json" };
import { createTestDatabase, uniqueName, type TestDatabase } from "../helpers/db.ts";
import { loadAssets } from "../../src/http/assets.ts";
import { freePort, run, startService, waitForHttp, type Service } from "../helpers/processes.ts";

const ROOT = join(import.meta.dir, "..", "..");
const BINARY = join(ROOT, "dist", "tubelet");

let db: TestDatabase;
let emptyDir: string;
let redisPrefix: string;
const services: Service[] = [];
let blocker: Server | undefined;

/** Only what the binary needs, so settings of the machine running the tests cannot leak in. */
function env(overrides: Record<string, string> = {}): Record<string, string> {
  return {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    HOME: emptyDir,
    DATABASE_URL: db.url,
    REDIS_URL: process.env.REDIS_URL || "redis://127.0.0.1:6379",
    TUBELET_REDIS_PREFIX: redisPrefix,
    // The RTMP listener only where a test gives it a free port.
    TUBELET_RTMP_PORT: "0",
    ...overrides,
  };
}

function tubelet(args: string[], overrides: Record<string, string> = {}) {
  return run([BINARY, ...args], { cwd: emptyDir, env: env(overrides), timeoutMs: 30_000 });
}

/** Start-up failures are one line naming the setting to fix; nothing else (no stack, no library noise). */
function expectOneLineNaming(stderr: string, variable: string): void {
  expect(stderr.trim().split("\n")).toEqual([expect.stringContaining(`${variable}:`)]);
}

beforeAll(async () => {
  // scripts/test.sh builds first; this covers running the file on its own in a fresh checkout.
  if (!existsSync(BINARY)) {
    const build = await run(["bun", "run", "build"], { cwd: ROOT, env: process.env, timeoutMs: 170_000 });
    if (build.code !== 0) throw new Error(`bun run build failed:\n${build.stdout}${build.stderr}`);
  }
  db = await createTestDatabase({ migrated: false });
  emptyDir = await mkdtemp(join(tmpdir(), "tubelet-empty-"));
  redisPrefix = `${uniqueName("bin")}:`;
}, 180_000);

afterAll(async () => {
  await Promise.all(services.map((s) => s.stop()));
  await new Promise<void>((resolve) => (blocker ? blocker.close(() => resolve()) : resolve()));
  await db?.drop();
  if (emptyDir) await rm(emptyDir, { recursive: true, force: true });
});

describe("the command line", () => {
  test("--version prints the version from package.json", async () => {
    const result = await tubelet(["--version"]);
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toBe(pkg.version);
  });

  test("an unknown command exits non-zero and shows the usage", async () => {
    const result = await tubelet(["frobnicate"]);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('unknown command "frobnicate"');
    expect(result.stderr).toContain("Usage:");
    expect(result.stderr).toContain("tubelet serve");
  });
});

describe("serve refuses to start with one line naming the setting", () => {
  test("PostgreSQL unreachable: DATABASE_URL", async () => {
    const result = await tubelet(["serve"], { DATABASE_URL: "postgres://postgres@127.0.0.1:1/tubelet" });
    expect(result.code).not.toBe(0);
    expectOneLineNaming(result.stderr, "DATABASE_URL");
  });

  test("Redis unreachable: REDIS_URL", async () => {
    const result = await tubelet(["serve"], { REDIS_URL: "redis://127.0.0.1:1" });
    expect(result.code).not.toBe(0);
    expectOneLineNaming(result.stderr, "REDIS_URL");
  });

  test("port already taken: TUBELET_PORT", async () => {
    blocker = createServer();
    await new Promise<void>((resolve) => blocker!.listen(0, "127.0.0.1", resolve));
    const port = (blocker.address() as { port: number }).port;
    const result = await tubelet(["serve"], { TUBELET_PORT: String(port), TUBELET_HOST: "127.0.0.1" });
    expect(result.code).not.toBe(0);
    expectOneLineNaming(result.stderr, "TUBELET_PORT");
  });

  test("RTMP port already taken: TUBELET_RTMP_PORT", async () => {
    const port = (blocker!.address() as { port: number }).port;
    const result = await tubelet(["serve"], { TUBELET_PORT: "0", TUBELET_HOST: "127.0.0.1", TUBELET_RTMP_PORT: String(port) });
    expect(result.code).not.toBe(0);
    expectOneLineNaming(result.stderr, "TUBELET_RTMP_PORT");
  });
});

describe("from an empty folder", () => {
  const username = "binary_alice";
  const password = "correct-horse-battery-42";

  test("admin create-user migrates the empty database and creates the account", async () => {
    const result = await tubelet(["admin", "create-user", "--username", username, "--email", `${username}@example.org`, "--password", password]);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`@${username}`);
    const [row] = await db.sql`SELECT count(*)::int AS n FROM schema_migrations`;
    expect(row!.n).toBeGreaterThan(0);
  });

  test("serve answers pages and a login round trip over real HTTP", async () => {
    const port = await freePort();
    const rtmpPort = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const server = startService([BINARY, "serve"], {
      cwd: emptyDir,
      env: env({ TUBELET_PORT: String(port), TUBELET_HOST: "127.0.0.1", TUBELET_PUBLIC_URL: base, TUBELET_RTMP_PORT: String(rtmpPort) }),
    });
    services.push(server);
    const home = await waitForHttp(`${base}/`, server);
    expect(home.headers.get("content-type")).toContain("text/html");
    await home.body?.cancel();
    // The RTMP listener is up too (publishing itself is covered by the live tests).
    const rtmp = await Bun.connect({ hostname: "127.0.0.1", port: rtmpPort, socket: { data() {} } });
    rtmp.end();

    const cookies = new Map<string, string>();
    const keep = (response: Response) => {
      for (const line of response.headers.getSetCookie()) {
        const [name, value] = line.split(";")[0]!.split("=") as [string, string];
        cookies.set(name, value);
      }
    };
    const cookieHeader = () => [...cookies].map(([k, v]) => `${k}=${v}`).join("; ");

    const loginPage = await fetch(`${base}/login`);
    expect(loginPage.status).toBe(200);
    keep(loginPage);
    const csrf = /<meta name="csrf-token" content="([^"]+)"/.exec(await loginPage.text())?.[1];
    expect(csrf).toBeTruthy();
    expect(cookies.get("tubelet_csrf")).toBe(csrf!);

    const login = await fetch(`${base}/login`, {
      method: "POST",
      redirect: "manual",
      headers: { "content-type": "application/x-www-form-urlencoded", cookie: cookieHeader() },
      body: new URLSearchParams({ login: username, password, _csrf: csrf!, next: "/" }),
    });
    expect(login.status).toBe(303);
    expect(login.headers.get("location")).toBe("/");
    keep(login);
    expect(cookies.get("tubelet_session")).toBeTruthy();

    const signedIn = await fetch(`${base}/`, { headers: { cookie: cookieHeader() } });
    expect(signedIn.status).toBe(200);
    const header = /<header[\s\S]*?<\/header>/.exec(await signedIn.text())?.[0] ?? "";
    expect(header).toContain(`href="/a/${username}"`);
    expect(header).toContain(username);
    expect(header).not.toContain("Log in");

    // Both player bundles are inside the executable (it runs from an empty folder), at the same
    // content-hashed URLs the source computes from public/build/, byte for byte.
    const { urls } = await loadAssets();
    for (const url of [urls.playerHttp, urls.playerP2p]) {
      const response = await fetch(`${base}${url}`, { headers: { "accept-encoding": "gzip" } });
      expect(response.status).toBe(200);
      expect(response.headers.get("content-encoding")).toBe("gzip");
      const built = await Bun.file(join(ROOT, "public", "build", url.slice(url.lastIndexOf("/") + 1))).bytes();
      expect(new Uint8Array(await response.arrayBuffer())).toEqual(built);
    }

    await server.stop();
    expect(await server.exited).toBe(0);
  });
});
