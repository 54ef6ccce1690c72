/**
 * Page weight and speed, as a viewer gets them in production (the compiled binary behind the project's Caddyfile,
 * which compresses text): for the home page, a watch page, a channel page and a search,
 *   - bytes transferred for the page itself (HTML, CSS, JS, fonts), media and thumbnails counted apart,
 *     read from headless Chromium's network events with an empty cache;
 *   - on the watch page, the time from navigation to the first video frame painted (median of several loads),
 *     for the HTTP-only player (the default before a viewer accepts P2P) and for the P2P player;
 *   - requests/s and p99 under wrk against the binary, next to a bare Bun.serve answering a page of the same size.
 * Targets (issue 5): home < 30 KB before thumbnails, HTTP-only watch page < 450 KB with the player, first frame
 * < 0.7 s on loopback, every page > 5,000 req/s. PeerTube 6.3's figures from the issue are printed for scale.
 */
import { chromium, type Browser } from "playwright-core";
import { CHROMIUM_ARGS, CHROMIUM_PATH } from "../test/helpers/browser.ts";
import { startCaddy } from "./lib/caddy.ts";
import { withCleanup } from "./lib/cleanup.ts";
import { cpuSeconds, waitForOk, warnIfMachineBusy, type ServerProcess } from "./lib/process.ts";
import { seedPages } from "./lib/pages-seed.ts";
import { count, median, ms, printTable, ratio } from "./lib/table.ts";
import { createInstance, ensureBinary, PROJECT_ROOT, startBaseline, startTubelet } from "./lib/tubelet.ts";
import { ensureWrk, runWrk, type WrkResult, type WrkSettings } from "./lib/wrk.ts";

const LOAD: WrkSettings = { threads: 2, connections: 64, seconds: 8 };
const WARM_UP: WrkSettings = { ...LOAD, seconds: 2 };
const FIRST_FRAME_RUNS = 7;
const HOME_VIDEOS = 24;

const TARGET = { homeBytes: 30_000, watchBytes: 450_000, firstFrameMs: 700, rps: 5000 };
const PEERTUBE = { watchBytes: 6_150_000, watchRequests: 117, firstFrameMs: 1390, homeBytes: 2_200_000, homeRequests: 89, watchRps: 1000 };

type Kind = "html" | "css" | "js" | "font" | "media" | "image" | "other";

interface Transfer {
  readonly requests: number;
  /** HTML, CSS, JS and fonts: what the page-weight targets count. */
  readonly pageBytes: number;
  readonly byKind: Readonly<Record<Kind, number>>;
}

function kindOf(resourceType: string, url: string): Kind {
  if (resourceType === "document") return "html";
  if (resourceType === "stylesheet") return "css";
  if (resourceType === "script") return "js";
  if (resourceType === "font") return "font";
  if (resourceType === "image") return "image";
  if (resourceType === "media" || /\.(m3u8|m4s|mp4|json)(\?|$)/.test(url)) return "media";
  return "other";
}

/** Loads `url` in a fresh context (empty cache) and sums what crossed the wire, by kind, until `settled` resolves. */
async function transferOf(browser: Browser, url: string, settled: (page: import("playwright-core").Page) => Promise<unknown>, cookies: { name: string; value: string }[] = []): Promise<Transfer> {
  const context = await browser.newContext();
  if (cookies.length) await context.addCookies(cookies.map((c) => ({ ...c, url })));
  const page = await context.newPage();
  const pending: Promise<[Kind, number]>[] = [];
  page.on("requestfinished", (request) => {
    pending.push(
      request.sizes().then((sizes) => [kindOf(request.resourceType(), request.url()), sizes.responseBodySize + sizes.responseHeadersSize] as [Kind, number]),
    );
  });
  await page.goto(url, { waitUntil: "load" });
  await settled(page);
  await page.waitForLoadState("networkidle").catch(() => {});
  const sizes = await Promise.all(pending);
  await context.close();
  const byKind: Record<Kind, number> = { html: 0, css: 0, js: 0, font: 0, media: 0, image: 0, other: 0 };
  for (const [kind, bytes] of sizes) byKind[kind] += bytes;
  return { requests: sizes.length, pageBytes: byKind.html + byKind.css + byKind.js + byKind.font, byKind };
}

/**
 * Milliseconds from navigation start to the first video frame painted. An init script plays the video muted as
 * soon as the element exists, as a viewer clicking play at once would, and stamps the first frame callback.
 */
async function firstFrameMs(browser: Browser, url: string, cookies: { name: string; value: string }[] = []): Promise<number> {
  const context = await browser.newContext();
  if (cookies.length) await context.addCookies(cookies.map((c) => ({ ...c, url })));
  const page = await context.newPage();
  await page.addInitScript(() => {
    const w = window as unknown as { firstFrameAt?: number };
    const tryPlay = () => {
      const video = document.querySelector("video");
      if (!video || !video.currentSrc) return void setTimeout(tryPlay, 10);
      video.muted = true;
      video.requestVideoFrameCallback(() => (w.firstFrameAt ??= performance.now()));
      video.play().catch(() => setTimeout(tryPlay, 20));
    };
    document.addEventListener("DOMContentLoaded", tryPlay);
  });
  await page.goto(url, { waitUntil: "commit" });
  // Polled on a timer: the default polls on every animation frame, which keeps the page's main thread busy while
  // it loads; the time itself is stamped inside the page, so the polling period does not change it.
  const at = await page.waitForFunction(() => (window as unknown as { firstFrameAt?: number }).firstFrameAt, null, { timeout: 20_000, polling: 100 });
  const value = (await at.jsonValue()) as number;
  await context.close();
  return value;
}

interface Load extends WrkResult {
  readonly page: string;
  readonly serverCpu: number;
}

async function load(wrk: string, server: ServerProcess, page: string, path: string): Promise<Load> {
  process.stdout.write(`bench: wrk ${page} (${path}) ... `);
  await runWrk(wrk, server.url + path, WARM_UP);
  const cpuBefore = cpuSeconds(server.pid);
  const started = performance.now();
  const result = await runWrk(wrk, server.url + path, LOAD);
  const serverCpu = (cpuSeconds(server.pid) - cpuBefore) / ((performance.now() - started) / 1000);
  console.log(`${count(result.requestsPerSecond)} req/s`);
  return { ...result, page, serverCpu };
}

const kb = (bytes: number) => `${(bytes / 1000).toFixed(1)} KB`;
const mark = (ok: boolean) => (ok ? "✓" : "✗");

export async function run(): Promise<void> {
  await withCleanup(async (cleanup) => {
    const wrk = await ensureWrk(PROJECT_ROOT);
    await ensureBinary();
    await warnIfMachineBusy();
    const instance = await createInstance(cleanup, { migrated: true });
    console.log(`bench: seeding ${HOME_VIDEOS} playable videos (one 12 s 720p clip transcoded to 240/480/720)`);
    const seed = await seedPages(instance, HOME_VIDEOS);
    const pages = [
      { name: "home", path: "/" },
      { name: "watch", path: `/w/${seed.watchId}` },
      { name: "channel", path: `/c/${seed.channelHandle}` },
      { name: "search", path: `/search?q=${seed.searchQuery}` },
    ];

    const tubelet = startTubelet(cleanup, instance);
    await waitForOk(tubelet);
    const caddy = await startCaddy(cleanup, { upstream: new URL(tubelet.url).host, dataDir: instance.dataDir });
    const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
    cleanup.defer("close Chromium", () => browser.close());

    const transfers = new Map<string, Transfer>();
    for (const p of pages) {
      const settle = p.name === "watch" ? (page: import("playwright-core").Page) => page.waitForFunction(() => document.querySelector("video")?.currentSrc) : async () => {};
      transfers.set(p.name, await transferOf(browser, caddy.url + p.path, settle));
    }
    const watchUrl = caddy.url + pages[1]!.path;
    const p2pCookie = [{ name: "tubelet_p2p", value: "on" }];
    const watchP2p = await transferOf(browser, watchUrl, (page) => page.waitForFunction(() => document.querySelector("video")?.currentSrc), p2pCookie);
    const frames = { http: [] as number[], p2p: [] as number[] };
    for (let i = 0; i < FIRST_FRAME_RUNS; i++) {
      frames.http.push(await firstFrameMs(browser, watchUrl));
      frames.p2p.push(await firstFrameMs(browser, watchUrl, p2pCookie));
    }
    await browser.close();
    await caddy.stop();

    const loads: Load[] = [];
    for (const p of pages) loads.push(await load(wrk, tubelet, p.name, p.path));
    const homeHtml = await (await fetch(tubelet.url + "/")).arrayBuffer();
    await tubelet.stop();
    const bare = startBaseline(cleanup, homeHtml.byteLength);
    await waitForOk(bare);
    const baseline = await load(wrk, bare, "bare Bun.serve", "/");
    await bare.stop();

    report(pages.map((p) => p.name), transfers, watchP2p, frames, loads, baseline);
    const failed = [...loads, baseline].filter((l) => l.non2xx > 0 || l.socketErrors > 0);
    for (const l of failed) console.error(`bench: ${l.page}: ${l.non2xx} non-2xx and ${l.socketErrors} socket errors; its figures are not valid`);
    if (failed.length) process.exitCode = 1;
  });
}

function report(
  names: readonly string[],
  transfers: ReadonlyMap<string, Transfer>,
  watchP2p: Transfer,
  frames: { http: number[]; p2p: number[] },
  loads: readonly Load[],
  baseline: Load,
): void {
  console.log("\nTransferred by the browser, empty cache, through Caddy (compressed); media and thumbnails apart\n");
  const weightRow = (name: string, t: Transfer, target: string) => [
    name, count(t.requests), kb(t.byKind.html), kb(t.byKind.css), kb(t.byKind.js), kb(t.pageBytes), kb(t.byKind.image), kb(t.byKind.media), target,
  ];
  const home = transfers.get("home")!;
  const watch = transfers.get("watch")!;
  printTable(
    ["page", "requests", "HTML", "CSS", "JS", "page total", "thumbnails", "media", "target"],
    [
      weightRow("home", home, `< ${kb(TARGET.homeBytes)} ${mark(home.pageBytes < TARGET.homeBytes)}`),
      weightRow("watch (HTTP-only player)", watch, `< ${kb(TARGET.watchBytes)} ${mark(watch.pageBytes < TARGET.watchBytes)}`),
      weightRow("watch (P2P player)", watchP2p, "—"),
      ...names.filter((n) => n !== "home" && n !== "watch").map((n) => weightRow(n, transfers.get(n)!, "—")),
    ],
  );
  console.log(
    `\nFor scale, PeerTube 6.3 (issue figures): home ${count(PEERTUBE.homeRequests)} requests, ${kb(PEERTUBE.homeBytes)}; watch ${count(PEERTUBE.watchRequests)} requests, ` +
      `${kb(PEERTUBE.watchBytes)} by its first frame. Home here: ${ratio(home.pageBytes / PEERTUBE.homeBytes)} of PeerTube's; watch: ${ratio((watch.pageBytes + watch.byKind.media) / PEERTUBE.watchBytes)} (page + media).`,
  );

  console.log(`\nWatch page, navigation start to first video frame painted (median of ${FIRST_FRAME_RUNS} loads, empty cache)\n`);
  const frameRow = (name: string, values: number[]) => [
    name, ms(median(values)), ms(Math.min(...values)), ms(Math.max(...values)), `< ${TARGET.firstFrameMs} ms ${mark(median(values) < TARGET.firstFrameMs)}`,
    ratio(median(values) / PEERTUBE.firstFrameMs),
  ];
  printTable(["player", "median ms", "min ms", "max ms", "target", "vs PeerTube 6.3 (1.39 s)"], [frameRow("HTTP-only", frames.http), frameRow("P2P", frames.p2p)]);

  console.log(`\nThroughput: wrk -t${LOAD.threads} -c${LOAD.connections} -d${LOAD.seconds}s against the binary on 127.0.0.1 (no cookies: first visits)\n`);
  const loadRow = (l: Load, target: boolean) => [
    l.page, count(l.requestsPerSecond), ms(l.p50Ms), ms(l.p99Ms), count(l.non2xx + l.socketErrors), `${Math.round(l.serverCpu * 100)}%`,
    ratio(l.requestsPerSecond / baseline.requestsPerSecond), target ? `> ${count(TARGET.rps)} ${mark(l.requestsPerSecond > TARGET.rps)}` : "—",
    ratio(l.requestsPerSecond / PEERTUBE.watchRps),
  ];
  printTable(
    ["page", "req/s", "p50 ms", "p99 ms", "errors", "server CPU", "vs bare Bun", "target", "vs PeerTube watch HTML"],
    [...loads.map((l) => loadRow(l, true)), loadRow(baseline, false)],
  );
  console.log(`
Notes:
- Bytes are what Chromium received (headers + encoded body) through the project's Caddyfile, which compresses text as
  production does; the binary alone does not compress HTML. "thumbnails" are images; "media" are playlists,
  segments and the segment hash map fetched by the player before the page settled.
- First frame: the init script plays the video muted as soon as the <video> has a source, as a viewer pressing play
  at once would; the P2P player waits up to TUBELET_P2P_HTTP_INITIAL_DELAY_MS for peers only when a swarm has any,
  and here it has none.
- wrk, the server and PostgreSQL share this machine's cores; the ratio to a bare Bun.serve answering a page of the home
  page's size is the figure to compare across machines. PeerTube's figures come from the issue, not this machine.`);
}
