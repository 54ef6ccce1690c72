/**
 * Runs ffmpeg with an argument array (never a shell string), reports progress and keeps the end of stderr
 * so a failure can say why. Arguments come from the pure builders in args.ts and probe.ts.
 */
import { parseProgressBlocks, progressPercent } from "./progress.ts";

/** How many trailing stderr lines a failure carries: enough for ffmpeg's reason, not a whole log. */
export const STDERR_TAIL_LINES = 20;

/** ffmpeg exited with an error, was aborted or timed out. */
export class FfmpegError extends Error {
  override name = "FfmpegError";
  constructor(
    message: string,
    readonly exitCode: number | null,
    /** The last lines ffmpeg wrote to stderr (with `-loglevel error`, its error messages). */
    readonly stderrTail: readonly string[],
    readonly reason: "failed" | "aborted" | "timeout",
  ) {
    super(message);
  }
}

export interface RunFfmpegOptions {
  /** Arguments after the program name; they must include `-progress pipe:1` for progress to be reported. */
  readonly args: readonly string[];
  /** Expected output duration, for percentages. */
  readonly durationSeconds?: number;
  /** Called with 0-100 whenever the whole percent changes, and with 100 when ffmpeg ends. */
  readonly onProgress?: (percent: number) => void;
  /** Called with every output time ffmpeg reports, in seconds. */
  readonly onOutTime?: (seconds: number) => void;
  readonly signal?: AbortSignal;
  readonly timeoutMs?: number;
  readonly ffmpegPath?: string;
}

/** Runs ffmpeg to completion; resolves when it exits 0, otherwise throws FfmpegError. */
export async function runFfmpeg(options: RunFfmpegOptions): Promise<void> {
  options.signal?.throwIfAborted();
  let timedOut = false;
  const proc = Bun.spawn(withParentDeathSignal([options.ffmpegPath ?? "ffmpeg", ...options.args]), { stdin: "ignore", stdout: "pipe", stderr: "pipe" });
  // SIGKILL: the caller throws the partial output away, so there is nothing for ffmpeg to finish cleanly.
  const abort = () => proc.kill("SIGKILL");
  options.signal?.addEventListener("abort", abort, { once: true });
  const timer = options.timeoutMs ? setTimeout(() => { timedOut = true; abort(); }, options.timeoutMs) : null;
  try {
    const [exitCode, , stderr] = await Promise.all([
      proc.exited,
      consumeProgress(proc.stdout, options),
      readTailText(proc.stderr),
    ]);
    const tail = lastLines(stderr, STDERR_TAIL_LINES);
    if (options.signal?.aborted) throw new FfmpegError("ffmpeg was aborted", exitCode, tail, "aborted");
    if (timedOut) throw new FfmpegError(`ffmpeg took longer than ${options.timeoutMs} ms`, exitCode, tail, "timeout");
    if (exitCode !== 0) {
      throw new FfmpegError(`ffmpeg exited with code ${exitCode}: ${tail.at(-1) ?? "no message"}`, exitCode, tail, "failed");
    }
  } finally {
    if (timer) clearTimeout(timer);
    options.signal?.removeEventListener("abort", abort);
  }
}

async function consumeProgress(stream: ReadableStream<Uint8Array>, options: RunFfmpegOptions): Promise<void> {
  let buffer = "";
  let lastWhole = -1;
  await readChunks(stream, (text) => {
    const parsed = parseProgressBlocks(buffer + text);
    buffer = parsed.rest;
    for (const block of parsed.blocks) {
      if (block.outTimeSeconds !== null) options.onOutTime?.(block.outTimeSeconds);
      const percent = progressPercent(block, options.durationSeconds ?? 0);
      if (percent === null || !options.onProgress) continue;
      const whole = Math.floor(percent);
      if (whole > lastWhole) {
        lastWhole = whole;
        options.onProgress(whole);
      }
    }
  });
}

/** Reads a child's output stream to the end as text. */
export async function readProcessText(stream: ReadableStream<Uint8Array>): Promise<string> {
  let text = "";
  await readChunks(stream, (chunk) => { text += chunk; });
  return text;
}

/** Keeps only the end of a stream: a damaged input can make ffmpeg log one error per frame for hours. */
async function readTailText(stream: ReadableStream<Uint8Array>, keepChars = 16_384): Promise<string> {
  let text = "";
  await readChunks(stream, (chunk) => {
    text += chunk;
    if (text.length > keepChars * 4) text = text.slice(-keepChars);
  });
  return text.slice(-keepChars);
}

async function readChunks(stream: ReadableStream<Uint8Array>, onText: (text: string) => void): Promise<void> {
  const reader = stream.getReader();
  const decoder = new TextDecoder();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    onText(decoder.decode(value, { stream: true }));
  }
  const rest = decoder.decode();
  if (rest) onText(rest);
}

/** The last `count` non-empty lines of a text. */
export function lastLines(text: string, count: number): string[] {
  return text.split("\n").map((line) => line.trimEnd()).filter(Boolean).slice(-count);
}

/**
 * Makes the child die with us. A SIGKILLed server would otherwise leave ffmpeg running (it ignores the broken
 * progress pipe) and writing into a work folder that the restarted job is rebuilding. `setpriv` (util-linux,
 * on every Debian) sets PR_SET_PDEATHSIG and then execs the command; where it is missing the command runs as is.
 */
export function withParentDeathSignal(command: string[]): string[] {
  return SETPRIV ? [SETPRIV, "--pdeathsig", "SIGKILL", "--", ...command] : command;
}

const SETPRIV = process.platform === "linux" ? Bun.which("setpriv") : null;
