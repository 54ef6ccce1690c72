/**
 * The project's own Caddyfile in front of a real Tubelet: pages are proxied and compressed, the data folder
 * is served by Caddy from disk with the cache and CORS headers players rely on, and tmp/ stays private.
 * Only environment variables differ from production: a plain-HTTP site address on a free port, so no
 * certificate is involved, and no admin endpoint, so the test never collides with a Caddy already running.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseConfig } from "../../src/config.ts";
import { startServer, type Running } from "../../src/server.ts";
import { createTestDatabase, uniqueName, type TestDatabase } from "../helpers/db.ts";
import { freePort, run, startService, waitForHttp, type Service } from "../helpers/processes.ts";

const CADDYFILE = join(import.meta.dir, "..", "..", "Caddyfile");
const CADDY = Bun.which("caddy");

let db: TestDatabase;
let dataDir: string;
let caddyHome: string;
let tubelet: Running | undefined;
let caddy: Service | undefined;
let base: string;
let caddyEnv: Record<string, string>;

// Bytes that no text encoder would leave alone: proves media pass through untouched.
const JPEG = new Uint8Array(4096).map((_, i) => (i * 7 + 3) % 256);
const SEGMENT = new Uint8Array(10_000).map((_, i) => (i * 13) % 256);

/** GETs a path byte for byte; fetch would normalise the dot segments and slashes this test is about. */
async function rawStatus(path: string): Promise<number> {
  const { hostname, port } = new URL(base);
  const reply = await new Promise<string>((resolve, reject) => {
    let text = "";
    const socket = connect(Number(port), hostname, () => {
      socket.write(`GET ${path} HTTP/1.1\r\nHost: ${hostname}:${port}\r\nConnection: close\r\n\r\n`);
    });
    socket.setEncoding("latin1");
    socket.on("data", (chunk: string) => (text += chunk));
    socket.on("end", () => resolve(text));
    socket.on("error", reject);
  });
  return Number(/^HTTP\/1\.1 (\d{3})/.exec(reply)?.[1] ?? 0);
}

beforeAll(async () => {
  if (!CADDY) throw new Error("caddy is not installed; run scripts/setup.sh --test");
  db = await createTestDatabase();
  dataDir = await mkdtemp(join(tmpdir(), "tubelet-caddy-data-"));
  caddyHome = await mkdtemp(join(tmpdir(), "tubelet-caddy-home-"));
  await mkdir(join(dataDir, "avatars"), { recursive: true });
  await mkdir(join(dataDir, "videos", "v1"), { recursive: true });
  await mkdir(join(dataDir, "tmp"), { recursive: true });
  await writeFile(join(dataDir, "avatars", "x.jpg"), JPEG);
  await writeFile(join(dataDir, "videos", "v1", "720p-00001.m4s"), SEGMENT);
  await writeFile(join(dataDir, "videos", "v1", "master.m3u8"), "#EXTM3U\n");
  await writeFile(join(dataDir, "tmp", "upload.part"), "half an upload");
  await mkdir(join(dataDir, "live", "l1", "s1"), { recursive: true });
  await writeFile(join(dataDir, "live", "l1", "s1", "720p.m3u8"), "#EXTM3U\n");
  await writeFile(join(dataDir, "live", "l1", "s1", "segments-sha256.json"), "{}");
  await writeFile(join(dataDir, "live", "l1", "s1", "720p-00001.ts"), SEGMENT);

  tubelet = await startServer(
    parseConfig({
      DATABASE_URL: db.url,
      TUBELET_PORT: "0",
      TUBELET_HOST: "127.0.0.1",
      TUBELET_DATA_DIR: dataDir,
      TUBELET_REDIS_PREFIX: `${uniqueName("caddy")}:`,
      TUBELET_TRUST_PROXY: "true",
      TUBELET_RTMP_PORT: "0",
      REDIS_URL: process.env.REDIS_URL,
    }),
  );

  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  caddyEnv = {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    // Caddy keeps certificates and autosaved config under these; a throwaway home keeps the machine clean.
    HOME: caddyHome,
    XDG_DATA_HOME: join(caddyHome, "data"),
    XDG_CONFIG_HOME: join(caddyHome, "config"),
    TUBELET_DOMAIN: base,
    TUBELET_UPSTREAM: new URL(tubelet.url).host,
    TUBELET_DATA_DIR: dataDir,
    TUBELET_CADDY_ADMIN: "off",
  };
  caddy = startService([CADDY, "run", "--config", CADDYFILE, "--adapter", "caddyfile"], { env: caddyEnv });
  await waitForHttp(`${base}/`, caddy);
}, 60_000);

afterAll(async () => {
  await caddy?.stop();
  await tubelet?.stop();
  await db?.drop();
  await Promise.all([dataDir, caddyHome].filter(Boolean).map((dir) => rm(dir, { recursive: true, force: true })));
});

test("caddy validate accepts the Caddyfile, formatted as caddy fmt writes it", async () => {
  const result = await run([CADDY!, "validate", "--config", CADDYFILE, "--adapter", "caddyfile"], { env: caddyEnv });
  expect(result.stdout + result.stderr).toContain("Valid configuration");
  expect(result.stdout + result.stderr).not.toContain("not formatted");
  expect(result.code).toBe(0);
});

describe("through Caddy", () => {
  test("pages come from Tubelet, compressed", async () => {
    const response = await fetch(`${base}/`, { headers: { "accept-encoding": "gzip" } });
    expect(response.status).toBe(200);
    expect(response.headers.get("server")).toBe("Caddy");
    expect(response.headers.get("content-type")).toContain("text/html");
    expect(response.headers.get("content-security-policy")).toContain("default-src 'self'");
    expect(response.headers.get("content-encoding")).toBe("gzip");
    expect(await response.text()).toContain('<meta name="csrf-token"');
  });

  test("files under /static/ are served by Caddy from disk, with type, CORS and a one-year cache", async () => {
    const response = await fetch(`${base}/static/avatars/x.jpg`, { headers: { "accept-encoding": "gzip, zstd" } });
    expect(response.status).toBe(200);
    expect(response.headers.get("server")).toBe("Caddy");
    // Tubelet adds its security headers to everything it answers; Caddy's file server does not.
    expect(response.headers.get("content-security-policy")).toBeNull();
    expect(response.headers.get("etag")).toBeTruthy();
    expect(response.headers.get("content-type")).toBe("image/jpeg");
    expect(response.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    expect(response.headers.get("access-control-allow-origin")).toBe("*");
    expect(response.headers.get("content-encoding")).toBeNull();
    expect(new Uint8Array(await response.arrayBuffer())).toEqual(JPEG);
  });

  test("segments answer Range requests with 206 and the exact bytes", async () => {
    const response = await fetch(`${base}/static/videos/v1/720p-00001.m4s`, { headers: { range: "bytes=100-199" } });
    expect(response.status).toBe(206);
    expect(response.headers.get("content-range")).toBe(`bytes 100-199/${SEGMENT.length}`);
    expect(response.headers.get("content-type")).toBe("video/iso.segment");
    expect(response.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    expect(new Uint8Array(await response.arrayBuffer())).toEqual(SEGMENT.slice(100, 200));
  });

  test("playlists are cached for seconds only", async () => {
    const response = await fetch(`${base}/static/videos/v1/master.m3u8`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/vnd.apple.mpegurl");
    expect(response.headers.get("cache-control")).toBe("public, max-age=2");
    expect(await response.text()).toBe("#EXTM3U\n");
  });

  test("a live's playlists and hash map are revalidated every time; its segments are immutable", async () => {
    for (const file of ["720p.m3u8", "segments-sha256.json"]) {
      const response = await fetch(`${base}/static/live/l1/s1/${file}`);
      expect({ file, status: response.status, cache: response.headers.get("cache-control") }).toEqual({ file, status: 200, cache: "no-cache" });
      await response.body?.cancel();
    }
    const segment = await fetch(`${base}/static/live/l1/s1/720p-00001.ts`);
    expect(segment.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    await segment.body?.cancel();
  });

  test("a missing file is a 404 that no cache keeps for a year", async () => {
    const response = await fetch(`${base}/static/videos/v1/720p-00099.m4s`);
    expect(response.status).toBe(404);
    expect(response.headers.get("cache-control")).toBeNull();
    await response.body?.cancel();
  });

  test("the upload area tmp/ is never served, however the path is spelled", async () => {
    for (const path of ["/static/tmp/upload.part", "/static//tmp/upload.part", "/static/avatars/../tmp/upload.part", "/static/%74mp/upload.part"]) {
      expect({ path, status: await rawStatus(path) }).toEqual({ path, status: 404 });
    }
  });
});
