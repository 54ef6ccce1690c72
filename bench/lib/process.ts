/** Server processes for benchmarks: free ports, spawning, waiting for the first 200, memory and CPU readings. */
import { readFileSync } from "node:fs";
import type { Subprocess } from "bun";
import type { Cleanup } from "./cleanup.ts";

/** Benchmarks only ever talk to loopback, so a run never loads another machine. */
export const BENCH_HOST = "127.0.0.1";

/** Asks the kernel for an unused loopback port (a tiny race remains until the server binds it). */
export function freePort(): number {
  const probe = Bun.serve({ hostname: BENCH_HOST, port: 0, fetch: () => new Response() });
  const port = probe.port!;
  probe.stop(true);
  return port;
}

/** Keeps the last `limit` characters a process printed, to explain why it died. */
export function tail(stream: ReadableStream<Uint8Array>, limit = 8000): () => string {
  let text = "";
  void (async () => {
    const decoder = new TextDecoder();
    const reader = stream.getReader();
    for (let read = await reader.read(); !read.done; read = await reader.read()) {
      text = (text + decoder.decode(read.value, { stream: true })).slice(-limit);
    }
  })().catch(() => {});
  return () => text;
}

export interface ServerProcess {
  readonly name: string;
  readonly pid: number;
  readonly url: string;
  readonly process: Subprocess;
  /** performance.now() just before the spawn, the zero of start-up timings. */
  readonly launchedAt: number;
  /** The last lines the process printed (stdout, then stderr). */
  output(): string;
  /** SIGTERM, then SIGKILL if it has not exited within a few seconds. */
  stop(): Promise<void>;
}

/** Spawns a server that listens on `port`; its stop step is registered with `cleanup` at once. */
export function spawnServer(
  cleanup: Cleanup,
  name: string,
  command: string[],
  options: { port: number; env?: Record<string, string | undefined>; cwd?: string },
): ServerProcess {
  const launchedAt = performance.now();
  const child = Bun.spawn(command, {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
  });
  const out = tail(child.stdout);
  const err = tail(child.stderr);
  let stopped: Promise<void> | undefined;
  const server: ServerProcess = {
    name,
    pid: child.pid,
    url: `http://${BENCH_HOST}:${options.port}`,
    process: child,
    launchedAt,
    output: () => [out(), err()].filter(Boolean).join("\n"),
    stop: () =>
      (stopped ??= (async () => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        child.kill("SIGTERM");
        const exited = await Promise.race([child.exited.then(() => true), Bun.sleep(5000).then(() => false)]);
        if (!exited) {
          child.kill("SIGKILL");
          await child.exited;
        }
      })()),
  };
  cleanup.defer(`stop ${name} (pid ${child.pid})`, () => server.stop());
  return server;
}

/**
 * Polls `path` until it answers 200 and returns the milliseconds since launch. Fails at once if the process
 * exits, and after `timeoutMs` otherwise; polls every 5 ms so the timing is not rounded up by the poll period.
 */
export async function waitForOk(server: ServerProcess, path = "/", timeoutMs = 20_000): Promise<number> {
  const deadline = server.launchedAt + timeoutMs;
  let last = "no answer yet";
  while (performance.now() < deadline) {
    if (server.process.exitCode !== null || server.process.signalCode !== null) {
      const status = server.process.exitCode ?? server.process.signalCode;
      throw new Error(`${server.name} exited (${status}) before answering:\n${server.output()}`);
    }
    try {
      // The timeout keeps a server that accepts but never answers from stalling the poll past the deadline.
      const signal = AbortSignal.timeout(Math.max(1, deadline - performance.now()));
      const response = await fetch(server.url + path, { redirect: "manual", signal });
      await response.arrayBuffer();
      if (response.status === 200) return performance.now() - server.launchedAt;
      last = `HTTP ${response.status}`;
    } catch (error) {
      last = (error as Error).message;
    }
    await Bun.sleep(5);
  }
  throw new Error(`${server.name} did not answer 200 on ${path} within ${timeoutMs} ms (last: ${last}):\n${server.output()}`);
}

/** Resident memory of a process in bytes, from the VmRSS line of /proc/<pid>/status. */
export function rssBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const match = /^VmRSS:\s+(\d+)\s+kB$/m.exec(status);
  if (!match) throw new Error(`no VmRSS in /proc/${pid}/status`);
  return Number(match[1]) * 1024;
}

/** CPU time (user + system) a process has used so far, in seconds, from /proc/<pid>/stat. */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  // The command name (field 2) may hold spaces and parentheses; the fields we want follow its closing ")".
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const ticksPerSecond = 100; // USER_HZ, fixed at 100 on Linux for /proc
  return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond;
}

/** Runs a command to completion, its output shown unless `quiet`; throws with `what` if it fails. */
export async function runOrThrow(what: string, command: string[], options: { cwd?: string; quiet?: boolean } = {}): Promise<void> {
  const output = options.quiet ? "pipe" : "inherit";
  const child = Bun.spawn(command, { cwd: options.cwd, stdin: "ignore", stdout: output, stderr: output });
  const [code, printed] = await Promise.all([
    child.exited,
    options.quiet ? Promise.all([child.stdout, child.stderr].map((stream) => new Response(stream as ReadableStream).text())) : [],
  ]);
  if (code !== 0) throw new Error(`${what} failed (exit ${code}): ${command.join(" ")}\n${printed.join("")}`);
}

function cpuTicks(): { busy: number; total: number } {
  const fields = readFileSync("/proc/stat", "utf8").split("\n")[0]!.trim().split(/\s+/).slice(1).map(Number);
  const total = fields.reduce((sum, n) => sum + n, 0);
  return { busy: total - fields[3]! - (fields[4] ?? 0), total }; // idle and iowait are not busy
}

/**
 * Warns when other processes keep the machine busy before a benchmark starts: on a shared machine the figures
 * would be low for reasons that have nothing to do with the code, and the reader should know.
 */
export async function warnIfMachineBusy(threshold = 0.15): Promise<void> {
  const before = cpuTicks();
  await Bun.sleep(1000);
  const after = cpuTicks();
  const busy = (after.busy - before.busy) / Math.max(1, after.total - before.total);
  if (busy > threshold) {
    console.log(`bench: WARNING: the CPUs were ${Math.round(busy * 100)}% busy before the run started; other work will lower the figures.`);
  }
}
