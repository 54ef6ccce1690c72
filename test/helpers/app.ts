/** The app served in-process with `app.handle`, on a real database and Redis, plus a cookie-keeping client. */
import { expect } from "bun:test";
import { parseConfig, type Config } from "../../src/config.ts";
import { createRedis } from "../../src/queue/redis.ts";
import { loadAssets } from "../../src/http/assets.ts";
import { createRateLimiter } from "../../src/http/rate-limit.ts";
import type { AppDeps } from "../../src/http/context.ts";
import { createApp, LISTING_CACHE_ENTRIES } from "../../src/server.ts";
import { createVisitorPages } from "../../src/http/visitor-pages.ts";
import { createMicroCache } from "../../src/http/micro-cache.ts";
import { registerUser } from "../../src/accounts/service.ts";
import { createQueues } from "../../src/queue/queues.ts";
import { createLayout } from "../../src/storage/layout.ts";
import { createViewCounter } from "../../src/videos/views.ts";
import { createP2PStats } from "../../src/p2p/stats.ts";
import { createTestDatabase, uniqueName, type TestDatabase } from "./db.ts";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const ORIGIN = "http://localhost:9000";

export interface TestApp {
  readonly deps: AppDeps;
  readonly db: TestDatabase;
  readonly config: Config;
  handle(request: Request): Promise<Response>;
  client(ip?: string): TestClient;
  createUser(username: string, options?: { role?: "user" | "admin"; password?: string }): Promise<{ username: string; password: string; id: number }>;
  close(): Promise<void>;
}

/** Builds the app on a fresh database, a unique Redis prefix and a temporary data folder. */
export async function createTestApp(env: Record<string, string> = {}): Promise<TestApp> {
  const db = await createTestDatabase();
  const dataDir = await mkdtemp(join(tmpdir(), "tubelet-data-"));
  const config = parseConfig({
    DATABASE_URL: db.url,
    TUBELET_DATA_DIR: dataDir,
    TUBELET_REDIS_PREFIX: `${uniqueName("t")}:`,
    TUBELET_TRUST_PROXY: "true",
    // Tests change data and look at once; listing reuse has its own tests (micro-cache, and one with it on).
    TUBELET_LISTING_CACHE_MS: "0",
    ...(process.env.REDIS_URL ? { REDIS_URL: process.env.REDIS_URL } : {}),
    ...env,
  });
  const redis = createRedis(config.redisUrl);
  const limiter = createRateLimiter(redis, config.redisPrefix);
  const listings = createMicroCache<unknown>({ ttlMs: config.listingCacheMs, maxEntries: LISTING_CACHE_ENTRIES });
  const deps: AppDeps = {
    config,
    sql: db.sql,
    redis,
    limiter,
    assets: await loadAssets(),
    queues: createQueues(config.redisUrl, config.redisPrefix),
    layout: createLayout(dataDir),
    views: createViewCounter(redis, db.sql, config.redisPrefix),
    p2pStats: createP2PStats(redis, db.sql, limiter, config.redisPrefix),
    listings,
    visitorPages: createVisitorPages(listings),
    swarmPeers: () => 0,
  };
  const app = createApp(deps);
  const handle = (request: Request) => app.handle(request);
  return {
    deps,
    db,
    config,
    handle,
    client: (ip = "203.0.113.7") => new TestClient(handle, ip),
    async createUser(username, options = {}) {
      const password = options.password ?? "Correct-Horse-42";
      const user = await registerUser(deps, { username, email: `${username}@example.org`, password, role: options.role }, { bypassSignupMode: true });
      return { username, password, id: user.id };
    },
    async close() {
      await deps.queues.close();
      const keys = await redis.keys(`${config.redisPrefix}*`);
      if (keys.length) await redis.del(...keys);
      redis.disconnect();
      await db.drop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** A browser stand-in: keeps cookies, reads the CSRF token from pages, submits forms. */
export class TestClient {
  readonly cookies = new Map<string, string>();
  csrf = "";

  constructor(
    private readonly handle: (r: Request) => Promise<Response>,
    readonly ip: string,
  ) {}

  async fetch(path: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    headers.set("x-forwarded-for", this.ip);
    if (this.cookies.size) headers.set("cookie", [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; "));
    const response = await this.handle(new Request(ORIGIN + path, { ...init, headers, redirect: "manual" }));
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(";");
      const [name, value] = pair!.split("=") as [string, string];
      if (/max-age=0/i.test(line) || value === "") this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return response;
  }

  /** GETs a page and remembers its CSRF token; returns status and HTML. */
  async page(path: string): Promise<{ status: number; html: string; response: Response }> {
    const response = await this.fetch(path);
    const html = await response.text();
    const token = /<meta name="csrf-token" content="([^"]+)"/.exec(html)?.[1];
    if (token) this.csrf = token;
    return { status: response.status, html, response };
  }

  /** POSTs a url-encoded form with the remembered CSRF token (unless `_csrf` is given). */
  async submit(path: string, fields: Record<string, string>): Promise<Response> {
    if (!this.csrf) await this.page("/");
    const body = new URLSearchParams({ _csrf: this.csrf, ...fields });
    return this.fetch(path, { method: "POST", body, headers: { "content-type": "application/x-www-form-urlencoded" } });
  }

  async login(login: string, password: string): Promise<Response> {
    await this.page("/login");
    return this.submit("/login", { login, password, next: "/" });
  }
}

/** The REST API as a client at one address: requests (with a bearer token when given) and the password grant. */
export function apiClient(t: TestApp, ip: string) {
  const api = (path: string, init: RequestInit & { token?: string } = {}) => {
    const headers = new Headers(init.headers);
    if (init.token) headers.set("authorization", `Bearer ${init.token}`);
    headers.set("x-forwarded-for", ip);
    return t.handle(new Request(ORIGIN + path, { ...init, headers }));
  };
  const apiToken = async (username: string, password: string): Promise<string> => {
    const client = await (await api("/api/v1/oauth-clients/local")).json();
    const res = await api("/api/v1/users/token", {
      method: "POST",
      body: new URLSearchParams({ client_id: client.client_id, client_secret: client.client_secret, grant_type: "password", username, password }),
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    expect(res.status).toBe(200);
    return (await res.json()).access_token;
  };
  return { api, apiToken };
}
