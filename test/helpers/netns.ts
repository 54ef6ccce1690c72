/**
 * A private network for WebRTC tests. Chromium never gathers 127.0.0.1 candidates (see DESIGN.md), so P2P tests
 * need a real interface, and nothing may leave the machine. This creates a network namespace with:
 *
 *   root namespace                          namespace tubelet-<id> (the browsers)
 *   veth "tbh<id>" 10.213.N.1/24  <------>  veth "tbn<id>" 10.213.N.2/24   (only route to the server)
 *                                           veth "out0"    10.212.N.1/24   (default route: a dead end,
 *                                           veth "out1"    no address       its peer drops everything)
 *
 * The server (and a counting proxy in front of it) listens on 10.213.N.1 in the root namespace, where it still
 * reaches PostgreSQL and Redis on 127.0.0.1. Chromium runs inside the namespace through a wrapper script
 * (`ip netns exec <ns> chromium "$@"`). Chromium gathers host candidates on the default route's interface,
 * out0's 10.212.N.1, which every browser in the namespace shares: peers reach each other there, and anything
 * meant for the outside world goes to out1, which drops it. (A dummy interface would be the obvious dead end,
 * but the dummy module is not available in every container; veth is, since the link to the server needs it.)
 *
 * Creating namespaces needs root (CAP_NET_ADMIN); without it this fails with a message saying so: P2P tests are
 * never skipped silently.
 */
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { chmod, mkdtemp, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import type { Server, ServerWebSocket } from "bun";
import { registerUser } from "../../src/accounts/service.ts";
import { parseConfig } from "../../src/config.ts";
import { createLayout } from "../../src/storage/layout.ts";
import { transcodeToHlsLadder } from "../../src/transcoding/vod.ts";
import { newVideoIds } from "../../src/videos/ids.ts";
import { insertVideo, markPublished } from "../../src/videos/queries.ts";
import { CHROMIUM_ARGS, CHROMIUM_PATH, startE2eServer, type E2eServer } from "./browser.ts";
import { makeClip } from "./media.ts";
import { createSharedLink, type SharedLink } from "./shared-link.ts";
import { freePort, run } from "./processes.ts";

export interface TestNetwork {
  /** The namespace's name, tubelet-<id>. */
  readonly name: string;
  /** Root-namespace side of the veth pair: servers listen here. */
  readonly hostAddress: string;
  /** The browsers' address towards the server. */
  readonly namespaceAddress: string;
  /** Executable that runs Chromium inside the namespace with the arguments it is given. */
  readonly chromiumWrapper: string;
  /** Deletes the namespace (and with it every interface in it and the host's veth end) and the wrapper; safe to call twice. */
  close(): Promise<void>;
}

async function ip(args: string[]): Promise<string> {
  const result = await run(["ip", ...args], { env: { PATH: process.env.PATH ?? "/usr/sbin:/usr/bin:/sbin:/bin" }, timeoutMs: 10_000 });
  if (result.code !== 0) throw new Error(`ip ${args.join(" ")} failed (${result.code}): ${result.stderr.trim() || result.stdout.trim()}`);
  return result.stdout;
}

/** A third octet N such that neither 10.213.N.0/24 nor 10.212.N.0/24 is routed anywhere on this machine yet. */
async function freeSubnet(): Promise<number> {
  const routes = await ip(["-4", "route", "show", "table", "all"]);
  const used = new Set([...routes.matchAll(/\b10\.21[23]\.(\d+)\./g)].map((m) => Number(m[1])));
  const start = 1 + Math.floor(Math.random() * 250);
  for (let i = 0; i < 250; i++) {
    const n = 1 + ((start + i) % 250);
    if (!used.has(n)) return n;
  }
  throw new Error("no free 10.213.N.0/24 subnet for a test network namespace");
}

/** Creates the namespace, its interfaces and routes, and the Chromium wrapper; undoes everything on failure. */
export async function createTestNetwork(): Promise<TestNetwork> {
  if (process.getuid?.() !== 0) {
    throw new Error(
      "P2P tests create a network namespace (`ip netns add`), which needs root. Run `bun run test` as root (CI does), " +
        "or in a container with CAP_NET_ADMIN. These tests are not skipped: WebRTC cannot be tested on loopback.",
    );
  }
  const id = Math.random().toString(36).slice(2, 8);
  const name = `tubelet-${id}`;
  const hostIf = `tbh${id}`;
  const nsIf = `tbn${id}`;
  const n = await freeSubnet();
  const hostAddress = `10.213.${n}.1`;
  const namespaceAddress = `10.213.${n}.2`;
  const dir = await mkdtemp(join(tmpdir(), "tubelet-netns-"));
  const chromiumWrapper = join(dir, "chromium-in-netns");
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    // Deleting the namespace deletes its interfaces, and a veth's peer goes with it; the host end is removed
    // explicitly too in case something still holds the namespace open.
    await ip(["netns", "del", name]).catch(() => {});
    await ip(["link", "del", hostIf]).catch(() => {});
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await ip(["netns", "add", name]);
    await ip(["link", "add", hostIf, "type", "veth", "peer", "name", nsIf, "netns", name]);
    await ip(["addr", "add", `${hostAddress}/24`, "dev", hostIf]);
    await ip(["link", "set", hostIf, "up"]);
    await ip(["-n", name, "link", "set", "lo", "up"]);
    await ip(["-n", name, "addr", "add", `${namespaceAddress}/24`, "dev", nsIf]);
    await ip(["-n", name, "link", "set", nsIf, "up"]);
    // The dead end: a veth pair with both ends in the namespace. What is routed out of "out0" arrives at
    // "out1", which has no address, in a namespace that does not forward: it is dropped there.
    await ip(["-n", name, "link", "add", "out0", "type", "veth", "peer", "name", "out1"]);
    await ip(["-n", name, "addr", "add", `10.212.${n}.1/24`, "dev", "out0"]);
    await ip(["-n", name, "link", "set", "out1", "up"]);
    await ip(["-n", name, "link", "set", "out0", "up"]);
    await ip(["-n", name, "route", "add", "default", "dev", "out0"]);
    // Full paths: the browser is started with whatever PATH the test runner has.
    const ipPath = Bun.which("ip") ?? "/usr/sbin/ip";
    await writeFile(chromiumWrapper, `#!/bin/sh\nexec ${ipPath} netns exec ${name} ${CHROMIUM_PATH} "$@"\n`);
    await chmod(chromiumWrapper, 0o755);
  } catch (error) {
    await close();
    throw new Error(`could not set up the test network namespace ${name}: ${(error as Error).message}`);
  }
  return { name, hostAddress, namespaceAddress, chromiumWrapper, close };
}

// The flags of test/helpers/browser.ts, plus: host candidates as plain addresses rather than mDNS names (nothing
// answers mDNS in the namespace; real viewers on different machines use STUN instead), and no throttling of
// timers or renderers in pages that are not in front, since several viewers play at once.
const NETNS_CHROMIUM_ARGS = [
  ...CHROMIUM_ARGS,
  "--disable-features=WebRtcHideLocalIpsWithMdns",
  "--disable-background-timer-throttling",
  "--disable-renderer-backgrounding",
  "--disable-backgrounding-occluded-windows",
];

/** One headless Chromium inside the namespace; each viewer gets its own context (cookies, cache, storage). */
export async function launchBrowserInNetwork(network: TestNetwork): Promise<Browser> {
  return chromium.launch({ executablePath: network.chromiumWrapper, args: NETNS_CHROMIUM_ARGS, headless: true });
}

/** A fresh viewer: its own context, a cookie the proxy turns into its own client address, and optional cookies. */
export async function newViewerContext(browser: Browser, origin: string, viewer: number, cookies: Record<string, string> = {}): Promise<BrowserContext> {
  const context = await browser.newContext({ baseURL: origin, viewport: { width: 960, height: 600 }, colorScheme: "light" });
  const all = { [VIEWER_COOKIE]: String(viewer), ...cookies };
  await context.addCookies(Object.entries(all).map(([name, value]) => ({ name, value, url: origin })));
  return context;
}

/** Tells the counting proxy which viewer a request comes from. */
export const VIEWER_COOKIE = "tubelet_test_viewer";

export interface CountingProxy {
  readonly url: string;
  /** Bytes of segment files (init and media, under /static/videos/ and mirrors' /static/redundancy/) sent so far. */
  segmentBytes(): number;
  /** The same, per viewer cookie ("?" for requests without one). */
  segmentBytesByViewer(): ReadonlyMap<string, number>;
  /** Requests seen, as "METHOD path" with the viewer, for assertions about what a page loaded. */
  readonly requests: { viewer: string; method: string; path: string }[];
  /** Sends segments through one link of this many bytes per second shared by all viewers (null: no limit). */
  limitSegmentRate(bytesPerSecond: number | null): void;
  stop(): Promise<void>;
}

interface ProxiedSocket {
  readonly target: string;
  readonly clientIp: string;
  upstream: WebSocket | null;
  readonly pending: (string | Buffer)[];
}

/** Bun's WebSocket client takes request headers; the DOM typings only know the standard constructor. */
const BunWebSocket = WebSocket as unknown as new (url: string, options: { headers: Record<string, string> }) => WebSocket;

const SEGMENT_FILE = /^\/static\/(videos|redundancy)\/.+\.(m4s|mp4)$/;

/**
 * A reverse proxy in front of the server that counts the segment bytes it hands to browsers: an independent
 * measure of the origin's traffic, to compare with the players' own counters. It also gives every viewer its own
 * client address (X-Forwarded-For 10.99.0.<viewer>, for a server started with TUBELET_TRUST_PROXY=true), so the
 * per-address limits of the tracker and the statistics beacon apply per viewer as they would on the Internet,
 * and relays the tracker's WebSocket. Segment responses are marked no-store so every byte a player counts went
 * through here.
 */
export function startCountingProxy(options: { hostname: string; backend: string }): CountingProxy {
  const backend = new URL(options.backend);
  let total = 0;
  const byViewer = new Map<string, number>();
  const requests: CountingProxy["requests"] = [];
  const viewerOf = (request: Request) => /(?:^|;\s*)tubelet_test_viewer=(\d+)/.exec(request.headers.get("cookie") ?? "")?.[1] ?? "?";
  const ipOf = (viewer: string) => `10.99.0.${viewer === "?" ? 250 : Number(viewer) % 250}`;
  const count = (viewer: string, bytes: number) => {
    total += bytes;
    byViewer.set(viewer, (byViewer.get(viewer) ?? 0) + bytes);
  };
  let link: SharedLink | null = null;

  const server: Server<ProxiedSocket> = Bun.serve<ProxiedSocket>({
    hostname: options.hostname,
    port: 0,
    // As the server's own: event streams send a keep-alive every 25 s, Bun's default 10 s would cut them.
    idleTimeout: 60,
    async fetch(request, srv) {
      const url = new URL(request.url);
      const viewer = viewerOf(request);
      requests.push({ viewer, method: request.method, path: url.pathname });
      const target = new URL(url.pathname + url.search, backend);
      if (request.headers.get("upgrade")?.toLowerCase() === "websocket") {
        target.protocol = backend.protocol === "https:" ? "wss:" : "ws:";
        if (srv.upgrade(request, { data: { target: target.href, clientIp: ipOf(viewer), upstream: null, pending: [] } })) return undefined;
        return new Response("Expected a WebSocket upgrade.", { status: 400 });
      }
      const headers = new Headers(request.headers);
      headers.set("x-forwarded-for", ipOf(viewer));
      // Plain bodies, so the bytes counted are the bytes of the files.
      headers.delete("accept-encoding");
      const hasBody = request.method !== "GET" && request.method !== "HEAD";
      const answer = await fetch(target, {
        method: request.method,
        headers,
        body: hasBody ? await request.arrayBuffer() : undefined,
        redirect: "manual",
      });
      const responseHeaders = new Headers(answer.headers);
      if (!SEGMENT_FILE.test(url.pathname) || request.method !== "GET") {
        // Bun decodes compressed bodies; the headers must not claim otherwise.
        responseHeaders.delete("content-encoding");
        responseHeaders.delete("content-length");
        return new Response(answer.body, { status: answer.status, headers: responseHeaders });
      }
      const body = new Uint8Array(await answer.arrayBuffer());
      responseHeaders.set("cache-control", "no-store");
      if (!answer.ok) return new Response(body, { status: answer.status, headers: responseHeaders });
      if (link) return new Response(link.stream(body, (bytes) => count(viewer, bytes)), { status: answer.status, headers: responseHeaders });
      count(viewer, body.byteLength);
      return new Response(body, { status: answer.status, headers: responseHeaders });
    },
    websocket: {
      open(ws: ServerWebSocket<ProxiedSocket>) {
        const state = ws.data;
        const upstream = new BunWebSocket(state.target, { headers: { "x-forwarded-for": state.clientIp } });
        state.upstream = upstream;
        upstream.addEventListener("open", () => {
          for (const message of state.pending.splice(0)) upstream.send(message);
        });
        upstream.addEventListener("message", (event) => ws.send(event.data as string));
        upstream.addEventListener("close", (event) => ws.close(event.code === 1005 || event.code === 1006 ? 1000 : event.code, event.reason));
        upstream.addEventListener("error", () => ws.close());
      },
      message(ws, message) {
        const upstream = ws.data.upstream;
        if (upstream?.readyState === WebSocket.OPEN) upstream.send(message);
        else ws.data.pending.push(message);
      },
      close(ws) {
        ws.data.upstream?.close();
      },
    },
  });
  return {
    url: `http://${options.hostname}:${server.port}`,
    segmentBytes: () => total,
    segmentBytesByViewer: () => byViewer,
    requests,
    limitSegmentRate(bytesPerSecond) {
      link = bytesPerSecond === null ? null : createSharedLink(bytesPerSecond);
    },
    async stop() {
      await server.stop(true);
    },
  };
}

export interface P2PInstance {
  readonly network: TestNetwork;
  readonly server: E2eServer;
  readonly proxy: CountingProxy;
  /** The proxy's origin: the instance's public URL, which browsers use. */
  readonly origin: string;
  readonly video: { readonly id: number; readonly uuid: string; readonly shortId: string; readonly segmentBytes: number };
  /** `/w/<shortId>` */
  readonly watchPath: string;
  /** Stops the proxy and the server and deletes the namespace; safe after a partial start. */
  stop(): Promise<void>;
}

export interface P2PInstanceOptions {
  /** Extra server environment (TUBELET_P2P, TUBELET_P2P_* settings). */
  readonly env?: Record<string, string>;
  /** The published test video: its length, and the ladder it is cut into. */
  readonly clipSeconds?: number;
  readonly resolutions?: readonly number[];
  readonly segmentSeconds?: number;
}

/**
 * The whole P2P setup: the namespace, the server on its host side with a counting proxy in front (the proxy's
 * URL is the public URL, so the tracker URL on the watch page points through it too), and one published video
 * transcoded with transcodeToHlsLadder and inserted directly (no upload, no queue).
 */
export async function startP2PInstance(options: P2PInstanceOptions = {}): Promise<P2PInstance> {
  const undo: (() => Promise<unknown>)[] = [];
  const stop = async () => {
    for (const step of undo.splice(0).reverse()) await step().catch((e) => console.error(`p2p instance cleanup: ${(e as Error).message}`));
  };
  try {
    const network = await createTestNetwork();
    undo.push(() => network.close());
    const serverPort = await freePort(network.hostAddress);
    const proxy = startCountingProxy({ hostname: network.hostAddress, backend: `http://${network.hostAddress}:${serverPort}` });
    undo.push(() => proxy.stop());
    const server = await startE2eServer({
      TUBELET_HOST: network.hostAddress,
      TUBELET_PORT: String(serverPort),
      TUBELET_PUBLIC_URL: proxy.url,
      TUBELET_TRUST_PROXY: "true",
      TUBELET_P2P: "on",
      ...options.env,
    });
    undo.push(() => server.stop());
    const video = await publishClip(server, options);
    return { network, server, proxy, origin: proxy.url, video, watchPath: `/w/${video.shortId}`, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Generates a clip, transcodes it into the server's data folder and inserts it as a published video. */
async function publishClip(server: E2eServer, options: P2PInstanceOptions): Promise<P2PInstance["video"]> {
  const deps = { sql: server.db.sql, config: parseConfig({ DATABASE_URL: server.db.url }) };
  const user = await registerUser(deps, { username: "sharer", email: "sharer@example.org", password: "Peer-To-Peer-2024" }, { bypassSignupMode: true });
  const [channel] = await server.db.sql<{ id: number }[]>`SELECT id::int FROM channels WHERE owner_id = ${user.id} LIMIT 1`;
  const seconds = options.clipSeconds ?? 48;
  const clip = await makeClip({ seconds, width: 640, height: 360 });
  const { uuid, shortId } = newVideoIds();
  const layout = createLayout(server.dataDir);
  try {
    const output = await transcodeToHlsLadder({
      input: clip,
      outputDir: layout.videoDir(uuid),
      workDir: layout.transcodeWork(uuid),
      ladder: { resolutions: [...(options.resolutions ?? [240])], preset: "ultrafast", segmentSeconds: options.segmentSeconds ?? 2 },
    });
    const hlsDir = join(output.outputDir, "hls");
    const hashes = JSON.parse(await Bun.file(join(output.outputDir, output.segmentHashes)).text()) as Record<string, string>;
    const sizes = await Promise.all(Object.keys(hashes).map(async (f) => [f, (await stat(join(hlsDir, f))).size] as const));
    const renditions = output.renditions.map((r) => ({
      height: r.height ?? 0,
      width: r.width ?? 0,
      bandwidth: r.bandwidth,
      playlist: r.playlist,
      size: sizes.filter(([f]) => f === r.initSegment || f.startsWith(`${r.name}-`)).reduce((sum, [, s]) => sum + s, 0),
    }));
    const segmentBytes = renditions.reduce((sum, r) => sum + r.size, 0);
    const id = await insertVideo(server.db.sql, {
      uuid, shortId, channelId: channel!.id, name: "P2P swarm test", description: "", privacy: 1, category: null, language: null, tags: [],
      commentsEnabled: true, downloadEnabled: false, originalPath: clip, originalSize: 0, originalFilename: "clip.mp4",
      duration: Math.round(output.durationSeconds), width: 640, height: 360, fps: 25, audioOnly: false,
    });
    await markPublished(server.db.sql, id, renditions, segmentBytes);
    return { id, uuid, shortId, segmentBytes };
  } finally {
    await rm(dirname(clip), { recursive: true, force: true });
  }
}

/** What `window.tubeletStats()` returns (public/player/stats.ts). */
export interface ViewerStats {
  httpBytes: number;
  p2pBytes: number;
  uploadedBytes: number;
  peers: number;
  badPeers: number;
  rendition: string;
  bufferAhead: number;
}

export interface Viewer {
  readonly number: number;
  readonly context: BrowserContext;
  readonly page: Page;
  /** Opens the watch page and starts playing, muted, once the player is there. */
  play(path: string): Promise<void>;
  stats(): Promise<ViewerStats>;
  /** The media element's state: where the playhead is, whether it ended, how often it waited for data. */
  playback(): Promise<{ currentTime: number; ended: boolean; paused: boolean; waiting: number; duration: number }>;
  close(): Promise<void>;
}

/**
 * A viewer in its own browser context. `initScripts` run before the page's own scripts (counters, tampering).
 * `waiting` counts the media element's "waiting" events after playback first started (stalls).
 */
export async function openViewer(
  browser: Browser,
  origin: string,
  number: number,
  options: { cookies?: Record<string, string>; initScripts?: string[] } = {},
): Promise<Viewer> {
  const context = await newViewerContext(browser, origin, number, options.cookies);
  for (const script of options.initScripts ?? []) await context.addInitScript({ content: script });
  const page = await context.newPage();
  page.setDefaultTimeout(30_000);
  return {
    number,
    context,
    page,
    async play(path) {
      await page.goto(path);
      await page.waitForFunction(() => "tubeletPlayer" in window);
      await page.evaluate(() => {
        const video = document.querySelector("#player video, video#player") as HTMLVideoElement;
        const w = window as unknown as { tubeletWaiting: number; tubeletPlayer: { muted(v: boolean): void; play(): Promise<void> } };
        w.tubeletWaiting = 0;
        let started = false;
        video.addEventListener("playing", () => (started = true));
        video.addEventListener("waiting", () => {
          if (started) w.tubeletWaiting++;
        });
        w.tubeletPlayer.muted(true);
        return w.tubeletPlayer.play();
      });
    },
    stats: () => page.evaluate(() => (window as unknown as { tubeletStats(): ViewerStats }).tubeletStats()),
    playback: () =>
      page.evaluate(() => {
        const video = document.querySelector("#player video, video#player") as HTMLVideoElement;
        const waiting = (window as unknown as { tubeletWaiting?: number }).tubeletWaiting ?? 0;
        return { currentTime: video.currentTime, ended: video.ended, paused: video.paused, waiting, duration: video.duration };
      }),
    close: () => context.close(),
  };
}

