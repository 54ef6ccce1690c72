/**
 * A live instance for the benchmark: `tubelet serve` as its own process (so its CPU, and its ffmpeg children's,
 * can be read from /proc without the browsers', the proxy's or this process's), listening with RTMP on the host
 * side of a test network namespace (test/helpers/netns.ts) behind the counting proxy, with a streamer logged in
 * to the API; and the test card publisher, spawned here so its start time and CPU are known.
 */
import { readFileSync, readdirSync } from "node:fs";
import { registerUser } from "../../src/accounts/service.ts";
import { findTestcardFont, testcardArgs } from "../../src/live/testcard.ts";
import { createTestNetwork, startCountingProxy, type CountingProxy, type TestNetwork } from "../../test/helpers/netns.ts";
import { LIVE_STREAMER, connectLiveApi, type CreatedLive, type LiveApiClient } from "../../test/helpers/live-network.ts";
import { freePort, waitFor } from "../../test/helpers/processes.ts";
import type { Cleanup } from "./cleanup.ts";
import { cpuSeconds, spawnServer, type ServerProcess } from "./process.ts";
import { tubeletCommand } from "./transcode-server.ts";
import { createInstance } from "./tubelet.ts";

export interface LiveBenchInstance {
  readonly network: TestNetwork;
  readonly proxy: CountingProxy;
  readonly server: ServerProcess;
  /** How the server runs: "dist/tubelet" or "bun src/main.ts". */
  readonly command: string;
  /** The server's own URL (API calls and the first-segment probe skip the proxy). */
  readonly base: string;
  /** The proxy's URL: the public URL, which browsers use. */
  readonly origin: string;
  readonly dataDir: string;
  readonly api: LiveApiClient;
}

/** Starts everything; every part is registered with `cleanup` as soon as it exists. */
export async function startLiveBenchInstance(cleanup: Cleanup, env: Record<string, string> = {}): Promise<LiveBenchInstance> {
  const network = await createTestNetwork();
  cleanup.defer(`delete network namespace ${network.name}`, () => network.close());
  const instance = await createInstance(cleanup, { migrated: true });
  await registerUser({ sql: instance.db.sql, config: instance.config }, { ...LIVE_STREAMER }, { bypassSignupMode: true });
  const host = network.hostAddress;
  const port = await freePort(host);
  const rtmpPort = await freePort(host);
  const base = `http://${host}:${port}`;
  const proxy = startCountingProxy({ hostname: host, backend: base });
  cleanup.defer("stop the counting proxy", () => proxy.stop());
  const command = tubeletCommand(instance.dataDir);
  const server = spawnServer(cleanup, "tubelet", [...command.argv, "serve"], {
    port,
    cwd: command.cwd,
    env: {
      ...instance.env(port),
      TUBELET_HOST: host,
      TUBELET_PUBLIC_URL: proxy.url,
      TUBELET_TRUST_PROXY: "true",
      TUBELET_P2P: "on",
      TUBELET_RTMP_HOST: host,
      TUBELET_RTMP_PORT: String(rtmpPort),
      ...env,
    },
  });
  await waitFor(
    "tubelet serve to answer",
    async () => {
      if (server.process.exitCode !== null || server.process.signalCode !== null) throw new Error(`tubelet serve exited:\n${server.output()}`);
      const response = await fetch(`${base}/`, { signal: AbortSignal.timeout(2_000) });
      await response.arrayBuffer();
      return response.ok;
    },
    { timeoutMs: 60_000, intervalMs: 100 },
  ).catch((error: Error) => {
    throw new Error(`${error.message}\n${server.output()}`);
  });
  const api = await connectLiveApi(base, LIVE_STREAMER.username, LIVE_STREAMER.password);
  return { network, proxy, server, command: command.label, base, origin: proxy.url, dataDir: instance.dataDir, api };
}

/** The parent pid of every process, from /proc/<pid>/stat. */
function parentPids(): Map<number, number> {
  const parents = new Map<number, number>();
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, "utf8");
      // Fields after the command name (which may hold spaces): state, ppid, ...
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      parents.set(Number(name), ppid);
    } catch {
      // The process ended while the list was read.
    }
  }
  return parents;
}

/** Every process below `pid` (children, grandchildren...). */
export function descendants(pid: number): number[] {
  const parents = parentPids();
  const found: number[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    const parent = queue.shift()!;
    for (const [child, ppid] of parents) {
      if (ppid === parent) {
        found.push(child);
        queue.push(child);
      }
    }
  }
  return found;
}

/** CPU seconds of a process and, separately, of its live descendants (processes that ended are not counted). */
export function treeCpuSeconds(pid: number): { own: number; children: number } {
  let children = 0;
  for (const child of descendants(pid)) {
    try {
      children += cpuSeconds(child);
    } catch {
      // Gone between the listing and the read.
    }
  }
  return { own: cpuSeconds(pid), children };
}

export interface Publisher {
  /** Epoch milliseconds just before ffmpeg was spawned: stream time 0 enters the publisher about then. */
  readonly t0: number;
  readonly pid: number;
  readonly exited: Promise<number>;
  /** What ffmpeg printed on stderr (errors only), for failure messages. */
  stderr(): string;
  /** SIGINT (ffmpeg ends the RTMP session cleanly), SIGKILL after a few seconds. */
  stop(): Promise<number>;
}

/**
 * Publishes the test card (src/live/testcard.ts's arguments: the pattern, the clock, a tone, `-re` paced) to the
 * live. Spawned here rather than through runTestcard, because the benchmark needs the process id for its CPU.
 */
export async function startPublisher(
  cleanup: Cleanup,
  live: CreatedLive,
  seconds: number,
  size: { width: number; height: number; fps: number },
): Promise<Publisher> {
  const fontFile = await findTestcardFont();
  const args = testcardArgs({ url: live.rtmpUrl, key: live.streamKey, durationSeconds: seconds, fontFile, ...size });
  const t0 = Date.now();
  const child = Bun.spawn(["ffmpeg", ...args], { stdin: "ignore", stdout: "ignore", stderr: "pipe" });
  let text = "";
  void (async () => {
    const decoder = new TextDecoder();
    const reader = child.stderr.getReader();
    for (let read = await reader.read(); !read.done; read = await reader.read()) text = (text + decoder.decode(read.value, { stream: true })).slice(-4000);
  })().catch(() => {});
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGINT");
      const timer = setTimeout(() => child.kill("SIGKILL"), 3_000);
      await child.exited;
      clearTimeout(timer);
    }
    return child.exited;
  };
  cleanup.defer(`stop the test card (pid ${child.pid})`, stop);
  return { t0, pid: child.pid, exited: child.exited, stderr: () => text, stop };
}
