/**
 * The live ffmpeg process: FLV goes in on stdin (from the RTMP ingest), HLS comes out into a folder.
 * Arguments come from liveHlsArgs; this file only owns the process: spawning, feeding with backpressure,
 * a bounded stderr tail for diagnostics, and ending it without leaving a zombie or a stray ffmpeg.
 */
import { mkdir } from "node:fs/promises";
import { withParentDeathSignal } from "../transcoding/ffmpeg.ts";

/** Characters of stderr kept for diagnostics: ffmpeg's last errors, not hours of warnings. */
export const STDERR_TAIL_CHARS = 4096;
/** How long end() lets ffmpeg finish its last segment and the ENDLIST before it is killed. */
export const DEFAULT_END_TIMEOUT_MS = 10_000;

/** A write reached ffmpeg after it had exited or while its stdin was closing. */
export class LiveTranscoderClosedError extends Error {
  override name = "LiveTranscoderClosedError";
}

export interface LiveTranscoder {
  /** Resolves once the pipe has taken the bytes (backpressure); rejects with LiveTranscoderClosedError when ffmpeg is gone. */
  write(chunk: Uint8Array): Promise<void>;
  /** Closes stdin so ffmpeg ends the playlists, waits for its exit (killing it after a timeout) and returns the exit code. */
  end(): Promise<number>;
  /** SIGKILL now; `exited` still resolves. */
  kill(): void;
  /** Exit code once ffmpeg has exited (128 + signal number when killed by a signal). */
  readonly exited: Promise<number>;
  readonly pid: number;
}

export interface StartLiveTranscoderOptions {
  /** Arguments after the program name, from liveHlsArgs. */
  readonly args: readonly string[];
  /** Created (with parents) before ffmpeg starts. */
  readonly outputDir: string;
  /** Called once ffmpeg has exited and its stderr is drained. */
  readonly onExit?: (code: number, stderrTail: string) => void;
  readonly ffmpegPath?: string;
  readonly endTimeoutMs?: number;
}

/** Starts ffmpeg reading FLV from its stdin; rejects when the folder cannot be made or ffmpeg cannot start. */
export async function startLiveTranscoder(o: StartLiveTranscoderOptions): Promise<LiveTranscoder> {
  await mkdir(o.outputDir, { recursive: true });
  // The parent-death signal: a crashed server must not leave ffmpeg waiting on a pipe nobody writes.
  const proc = Bun.spawn(withParentDeathSignal([o.ffmpegPath ?? "ffmpeg", ...o.args]), {
    stdin: "pipe",
    stdout: "ignore",
    stderr: "pipe",
  });
  let state: "open" | "closing" | "exited" = "open";
  let tail = "";
  const drained = collectTail(proc.stderr, (text) => { tail = text; });
  const exited = proc.exited.then(async (code) => {
    state = "exited";
    await drained.catch(() => {});
    o.onExit?.(code, tail);
    return code;
  });
  // Writes are chained so bytes reach ffmpeg in call order even if a caller does not await each one.
  let queue: Promise<void> = Promise.resolve();

  async function writeNow(chunk: Uint8Array): Promise<void> {
    // A write queued before end() still goes through; only a dead process refuses it.
    if (state === "exited") throw new LiveTranscoderClosedError(`live ffmpeg (pid ${proc.pid}) has exited`);
    try {
      // FileSink.write returns a promise when its buffer is full; flush waits until the pipe took everything.
      await proc.stdin.write(chunk);
      await proc.stdin.flush();
    } catch (error) {
      throw new LiveTranscoderClosedError(`live ffmpeg (pid ${proc.pid}) stopped reading: ${(error as Error).message}`);
    }
  }

  return {
    pid: proc.pid,
    exited,
    write(chunk) {
      if (state !== "open") return Promise.reject(new LiveTranscoderClosedError(`live ffmpeg (pid ${proc.pid}) is ${state}`));
      const result = queue.then(() => writeNow(chunk));
      queue = result.catch(() => {});
      return result;
    },
    async end() {
      // The clock starts now: a hung ffmpeg may not even take the bytes still queued for it.
      const timer = setTimeout(() => proc.kill("SIGKILL"), o.endTimeoutMs ?? DEFAULT_END_TIMEOUT_MS);
      try {
        if (state === "open") {
          state = "closing";
          await queue;
          try {
            await proc.stdin.end();
          } catch {
            // ffmpeg already exited: nothing left to close.
          }
        }
        return await exited;
      } finally {
        clearTimeout(timer);
      }
    },
    kill() {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill("SIGKILL");
    },
  };
}

/** Reads a stream to its end, reporting only its last STDERR_TAIL_CHARS characters. */
async function collectTail(stream: ReadableStream<Uint8Array>, onTail: (text: string) => void): Promise<void> {
  const decoder = new TextDecoder();
  let text = "";
  const reader = stream.getReader();
  for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
    text = (text + decoder.decode(chunk.value, { stream: true })).slice(-STDERR_TAIL_CHARS);
    onTail(text);
  }
  onTail((text + decoder.decode()).slice(-STDERR_TAIL_CHARS));
}
