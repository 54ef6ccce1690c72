/** The HTTP load generator: wrk, installed on demand by the setup script, and its `--latency` report parsed. */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { BENCH_HOST, runOrThrow } from "./process.ts";

export interface WrkSettings {
  readonly threads: number;
  readonly connections: number;
  readonly seconds: number;
}

export interface WrkResult {
  readonly requests: number;
  readonly requestsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** Responses with a status outside 2xx and 3xx: a page that errors is not a fast page. */
  readonly non2xx: number;
  /** connect + read + write + timeout errors. */
  readonly socketErrors: number;
}

/** Finds wrk, asking `scripts/setup.sh --bench` to install it when missing; throws with what to do otherwise. */
export async function ensureWrk(projectRoot: string): Promise<string> {
  const found = Bun.which("wrk");
  if (found) return found;
  const setup = join(projectRoot, "scripts", "setup.sh");
  if (existsSync(setup)) {
    console.log("bench: wrk is not installed; running scripts/setup.sh --bench");
    await runOrThrow("scripts/setup.sh --bench", ["bash", setup, "--bench"], { cwd: projectRoot });
  }
  const again = Bun.which("wrk");
  if (!again) {
    throw new Error("wrk is not installed. Run `bash scripts/setup.sh --bench`, or install it yourself (Debian: apt-get install wrk).");
  }
  return again;
}

const TIME_UNITS: Record<string, number> = { us: 0.001, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** "812.00us" / "8.51ms" / "1.02s" in milliseconds. */
export function parseWrkDuration(text: string): number {
  const match = /^([\d.]+)(us|ms|s|m|h)$/.exec(text.trim());
  if (!match) throw new Error(`not a wrk duration: "${text}"`);
  return Number(match[1]) * TIME_UNITS[match[2]!]!;
}

/** Reads requests/s, the 50th and 99th latency percentiles and the error counts from `wrk --latency` output. */
export function parseWrkOutput(text: string): WrkResult {
  const number = (pattern: RegExp, what: string): string => {
    const match = pattern.exec(text);
    if (!match) throw new Error(`wrk output has no ${what}:\n${text}`);
    return match[1]!;
  };
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(text);
  return {
    requests: Number(number(/^\s*(\d+) requests in /m, "request count")),
    requestsPerSecond: Number(number(/^Requests\/sec:\s+([\d.]+)/m, "Requests/sec")),
    p50Ms: parseWrkDuration(number(/^\s+50%\s+(\S+)/m, "50% latency (was --latency given?)")),
    p99Ms: parseWrkDuration(number(/^\s+99%\s+(\S+)/m, "99% latency (was --latency given?)")),
    non2xx: Number(/Non-2xx or 3xx responses: (\d+)/.exec(text)?.[1] ?? 0),
    socketErrors: socket ? socket.slice(1, 5).reduce((sum, n) => sum + Number(n), 0) : 0,
  };
}

/** Runs wrk against a loopback URL and returns its parsed report. */
export async function runWrk(wrk: string, url: string, settings: WrkSettings): Promise<WrkResult> {
  if (new URL(url).hostname !== BENCH_HOST) throw new Error(`refusing to load ${url}: benchmarks only target ${BENCH_HOST}`);
  const args = [wrk, `-t${settings.threads}`, `-c${settings.connections}`, `-d${settings.seconds}s`, "--latency", url];
  const child = Bun.spawn(args, { stdin: "ignore", stdout: "pipe", stderr: "pipe" });
  const [stdout, stderr, code] = await Promise.all([new Response(child.stdout).text(), new Response(child.stderr).text(), child.exited]);
  if (code !== 0) throw new Error(`wrk failed (exit ${code}): ${args.join(" ")}\n${stdout}${stderr}`);
  return parseWrkOutput(stdout);
}
