/**
 * HTTP throughput of server-rendered pages: the compiled binary's home page and a channel page under wrk, next to a
 * bare Bun.serve answering a static page of the same size in the same run, so the ratio survives a change of machine.
 */
import { availableParallelism } from "node:os";
import { withCleanup } from "./lib/cleanup.ts";
import { cpuSeconds, waitForOk, warnIfMachineBusy, type ServerProcess } from "./lib/process.ts";
import { count, ms, printTable, ratio } from "./lib/table.ts";
import { createInstance, ensureBinary, PROJECT_ROOT, seedInstance, startBaseline, startTubelet } from "./lib/tubelet.ts";
import { ensureWrk, runWrk, type WrkResult, type WrkSettings } from "./lib/wrk.ts";

/** The load the issue asks for: two wrk threads, 64 keep-alive connections, 10 s per page. */
const LOAD: WrkSettings = { threads: 2, connections: 64, seconds: 10 };
/** Untimed load first, so JIT compilation and pool connections are in place when measuring starts. */
const WARM_UP: WrkSettings = { ...LOAD, seconds: 2 };

/** Targets and reference figures from the issue. */
const HOME_TARGET_RPS = 5000;
const PEERTUBE_WATCH_PAGE_RPS = 1000;

interface Measurement extends WrkResult {
  readonly page: string;
  readonly bytes: number;
  /** Server CPU time over the measured run, as a share of one core. */
  readonly serverCpu: number;
}

/** Fetches a page once to check it answers 200 and to learn its size. */
async function pageBytes(server: ServerProcess, path: string): Promise<number> {
  const response = await fetch(server.url + path, { redirect: "manual", signal: AbortSignal.timeout(10_000) });
  const body = await response.arrayBuffer();
  if (response.status !== 200) throw new Error(`${server.name} answered ${response.status} on ${path}; expected 200`);
  return body.byteLength;
}

/** Warms up, then loads `path` for the measured period while reading the server's CPU time around it. */
async function measure(wrk: string, server: ServerProcess, page: string, path: string): Promise<Measurement> {
  const bytes = await pageBytes(server, path);
  process.stdout.write(`bench: ${page} (${path}): warming up ${WARM_UP.seconds} s, measuring ${LOAD.seconds} s ... `);
  await runWrk(wrk, server.url + path, WARM_UP);
  const cpuBefore = cpuSeconds(server.pid);
  const started = performance.now();
  const result = await runWrk(wrk, server.url + path, LOAD);
  const serverCpu = (cpuSeconds(server.pid) - cpuBefore) / ((performance.now() - started) / 1000);
  console.log(`${count(result.requestsPerSecond)} req/s`);
  return { ...result, page, bytes, serverCpu };
}

export async function run(): Promise<void> {
  const failed = await withCleanup(async (cleanup) => {
    const wrk = await ensureWrk(PROJECT_ROOT);
    await ensureBinary();
    await warnIfMachineBusy();
    const instance = await createInstance(cleanup, { migrated: true });
    const { channelHandle } = await seedInstance(instance);

    const tubelet = startTubelet(cleanup, instance);
    await waitForOk(tubelet);
    const home = await measure(wrk, tubelet, "home", "/");
    const channel = await measure(wrk, tubelet, "channel", `/c/${channelHandle}`);
    // Stopped before the baseline starts, so the two servers never compete for the cores.
    await tubelet.stop();

    const bare = startBaseline(cleanup, home.bytes);
    await waitForOk(bare);
    const baseline = await measure(wrk, bare, "bare Bun.serve", "/");
    await bare.stop();

    report([home, channel], baseline);
    return [home, channel, baseline].filter((m) => m.non2xx > 0 || m.socketErrors > 0);
  });
  if (failed.length > 0) {
    for (const m of failed) {
      console.error(`bench: ${m.page}: ${m.non2xx} non-2xx responses and ${m.socketErrors} socket errors; its figures are not valid`);
    }
    process.exitCode = 1;
  }
}

function report(pages: readonly Measurement[], baseline: Measurement): void {
  const row = (m: Measurement, target: string) => [
    m.page,
    count(m.bytes),
    count(m.requestsPerSecond),
    ms(m.p50Ms),
    ms(m.p99Ms),
    count(m.non2xx + m.socketErrors),
    `${Math.round(m.serverCpu * 100)}%`,
    ratio(m.requestsPerSecond / baseline.requestsPerSecond),
    target,
    ratio(m.requestsPerSecond / PEERTUBE_WATCH_PAGE_RPS),
  ];
  const homeTarget = (rps: number) => `> ${count(HOME_TARGET_RPS)} ${rps > HOME_TARGET_RPS ? "✓" : "✗"}`;
  console.log(
    `\nHTTP pages: wrk -t${LOAD.threads} -c${LOAD.connections} -d${LOAD.seconds}s --latency against 127.0.0.1 ` +
      `(after ${WARM_UP.seconds} s of warm-up)\n`,
  );
  printTable(
    ["page", "bytes", "req/s", "p50 ms", "p99 ms", "errors", "server CPU", "vs bare Bun", "target req/s", "vs PeerTube 6.3"],
    [
      row(pages[0]!, homeTarget(pages[0]!.requestsPerSecond)),
      ...pages.slice(1).map((m) => row(m, "—")),
      row(baseline, "—"),
    ],
  );
  console.log(`
Notes:
- wrk and the server share this machine's ${availableParallelism()} cores, and tubelet's pages also share them with PostgreSQL,
  so absolute figures are lower than with a separate load generator; the ratio to the bare Bun.serve is the
  figure to compare across machines. "server CPU" is the server process's CPU time over the run (100% = one core).
- The bare Bun.serve answers a fixed HTML string of the home page's size from a fetch handler, in its own bun process.
- wrk sends no cookies, so every tubelet response is a first visit: no session lookup, a new CSRF cookie each time.
- "vs PeerTube 6.3" divides by the issue's reference figure, PeerTube 6.3's HTML watch page at ~${count(PEERTUBE_WATCH_PAGE_RPS)} req/s,
  measured on other hardware: an order of magnitude, not a like-for-like comparison.`);
}
