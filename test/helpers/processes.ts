/** Child processes for integration tests: free ports, commands run to completion, long-running services, polling. */
import { createServer } from "node:net";
import type { Subprocess } from "bun";

/** Asks the kernel for a port nobody listens on, then releases it for the caller to use. */
export async function freePort(host = "127.0.0.1"): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, host, resolve);
  });
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (!address || typeof address === "string") throw new Error("no port was assigned");
  return address.port;
}

/** Thrown by a probe to stop waiting at once: the condition can no longer come true. */
export class GiveUp extends Error {
  override name = "GiveUp";
}

/**
 * Calls `probe` until it returns a truthy value, which is returned; fails after `timeoutMs` with the
 * last error seen, so a test that never gets what it waits for says why.
 */
export async function waitFor<T>(
  what: string,
  probe: () => T | Promise<T>,
  { timeoutMs = 15_000, intervalMs = 50 }: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value) return value as NonNullable<T>;
    } catch (error) {
      if (error instanceof GiveUp) throw error;
      lastError = error;
    }
    if (Date.now() >= deadline) {
      const reason = lastError ? ` (last error: ${(lastError as Error).message ?? lastError})` : "";
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${reason}`);
    }
    await Bun.sleep(intervalMs);
  }
}

export interface RunOptions {
  readonly cwd?: string;
  /** The whole environment of the child; nothing is inherited unless passed here. */
  readonly env?: Record<string, string | undefined>;
  readonly timeoutMs?: number;
}

export interface RunResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a command to completion with no stdin; kills it when it outlives `timeoutMs`. */
export async function run(cmd: string[], options: RunOptions = {}): Promise<RunResult> {
  const proc = Bun.spawn(cmd, { cwd: options.cwd, env: options.env, stdin: "ignore", stdout: "pipe", stderr: "pipe" });
  const timer = setTimeout(() => proc.kill("SIGKILL"), options.timeoutMs ?? 30_000);
  try {
    const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
    return { code, stdout, stderr };
  } finally {
    clearTimeout(timer);
  }
}

/** A long-running child whose stdout and stderr are collected as they come, for assertions and failure messages. */
export interface Service {
  readonly proc: Subprocess<"ignore", "pipe", "pipe">;
  /** Everything written so far, stdout and stderr interleaved in arrival order. */
  output(): string;
  /** Resolves with the exit code once the process has ended. */
  readonly exited: Promise<number>;
  /** SIGTERM, then SIGKILL if it has not exited within `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

export function startService(cmd: string[], options: Omit<RunOptions, "timeoutMs"> = {}): Service {
  const proc = Bun.spawn(cmd, { cwd: options.cwd, env: options.env, stdin: "ignore", stdout: "pipe", stderr: "pipe" });
  let text = "";
  const collect = async (stream: ReadableStream<Uint8Array>) => {
    // One decoder per stream: a character split across chunks must be joined with its own bytes.
    const decoder = new TextDecoder();
    const reader = stream.getReader();
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) text += decoder.decode(chunk.value, { stream: true });
  };
  const drained = Promise.all([collect(proc.stdout), collect(proc.stderr)]);
  return {
    proc,
    output: () => text,
    exited: proc.exited,
    async stop(graceMs = 5_000) {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      proc.kill("SIGTERM");
      const timer = setTimeout(() => proc.kill("SIGKILL"), graceMs);
      await proc.exited;
      clearTimeout(timer);
      await drained;
    },
  };
}

/**
 * Polls `url` until it answers with `status`; fails early with the service's output when the service
 * exits first, instead of waiting out the deadline.
 */
export async function waitForHttp(url: string, service?: Service, { status = 200, timeoutMs = 20_000 } = {}): Promise<Response> {
  return waitFor(
    `${url} to answer ${status}`,
    async () => {
      if (service && (service.proc.exitCode !== null || service.proc.signalCode !== null)) {
        throw new GiveUp(`the process exited (${service.proc.exitCode ?? service.proc.signalCode}) before ${url} answered:\n${service.output()}`);
      }
      const response = await fetch(url, { redirect: "manual", signal: AbortSignal.timeout(2_000) });
      if (response.status === status) return response;
      await response.body?.cancel();
      throw new Error(`got ${response.status}`);
    },
    { timeoutMs },
  ).catch((error) => {
    if (error instanceof GiveUp) throw error;
    throw new Error(`${(error as Error).message}${service ? `\nprocess output:\n${service.output()}` : ""}`);
  });
}
