/**
 * Media side of the transcoding benchmark: the generated source clip and bare ffmpeg runs timed with their
 * peak memory, so they can be set against the server's pipeline on equal terms.
 */
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { hlsLadderArgs } from "../../src/transcoding/args.ts";
import type { LadderConfig, Rendition } from "../../src/transcoding/ladder.ts";
import type { MediaProbe } from "../../src/transcoding/probe.ts";
import type { Cleanup } from "./cleanup.ts";
import { machineBusySeconds, ProcessTreeSampler } from "./transcode-proc.ts";

export interface ClipSpec {
  readonly seconds: number;
  readonly width: number;
  readonly height: number;
  readonly fps: number;
}

/**
 * ffmpeg arguments for the source clip: testsrc2 (moving, detailed, unlike a flat colour) with a tone, encoded
 * the way a camera or phone would hand it over (H.264 + AAC in MP4). CRF 18 keeps the bit rate high enough that
 * decoding it costs what decoding a real upload costs; the moov atom goes first, as most uploads have it.
 */
export function benchClipArgs(output: string, clip: ClipSpec): string[] {
  return [
    "-hide_banner", "-loglevel", "error", "-nostdin", "-y",
    "-f", "lavfi", "-i", `testsrc2=size=${clip.width}x${clip.height}:rate=${clip.fps}:duration=${clip.seconds}`,
    "-f", "lavfi", "-i", `sine=frequency=440:sample_rate=48000:duration=${clip.seconds}`,
    "-c:v", "libx264", "-preset", "veryfast", "-crf", "18", "-pix_fmt", "yuv420p",
    "-c:a", "aac", "-b:a", "128k",
    "-shortest", "-movflags", "+faststart",
    output,
  ];
}

/** What one bare run cost. */
export interface Measured {
  readonly wallMs: number;
  /** Highest VmRSS seen by polling (sum over the runs' process trees; one run at a time, so the max of each). */
  readonly peakRssBytes: number;
  /** The kernel's high-water mark (getrusage ru_maxrss) of the largest process, a cross-check for the polling. */
  readonly kernelMaxRssBytes: number;
  readonly cpuSeconds: number;
  /** CPU seconds the rest of the machine used meanwhile (this benchmark's own polling included). */
  readonly otherCpuSeconds: number;
}

/**
 * Runs ffmpeg commands one after another, as one measured case. stdout (the `-progress` stream the builders ask
 * for) goes to /dev/null; stderr is kept to explain a failure.
 */
export async function runFfmpegMeasured(cleanup: Cleanup, commands: readonly string[][], intervalMs = 100): Promise<Measured> {
  let peakRssBytes = 0;
  let kernelMaxRssBytes = 0;
  let cpuMicros = 0n;
  const busyBefore = machineBusySeconds();
  const started = performance.now();
  for (const args of commands) {
    const child = Bun.spawn(["ffmpeg", ...args], { stdin: "ignore", stdout: "ignore", stderr: "pipe" });
    // If the benchmark is interrupted, an ffmpeg encoding a minute of 1080p must not be left running.
    cleanup.defer(`kill ffmpeg ${child.pid}`, () => child.kill("SIGKILL"));
    const sampler = new ProcessTreeSampler(child.pid, () => null, intervalMs).start();
    const [code, stderr] = await Promise.all([child.exited, new Response(child.stderr).text()]);
    sampler.stop();
    if (code !== 0) throw new Error(`ffmpeg exited with ${code}: ${stderr.trim().split("\n").slice(-3).join(" | ")}`);
    const usage = child.resourceUsage();
    peakRssBytes = Math.max(peakRssBytes, sampler.peakBetween().treeRssBytes);
    kernelMaxRssBytes = Math.max(kernelMaxRssBytes, usage?.maxRSS ?? 0);
    cpuMicros += usage?.cpuTime.total ?? 0n;
  }
  const wallMs = performance.now() - started;
  const cpuSeconds = Number(cpuMicros) / 1e6;
  return { wallMs, peakRssBytes, kernelMaxRssBytes, cpuSeconds, otherCpuSeconds: Math.max(0, machineBusySeconds() - busyBefore - cpuSeconds) };
}

/** Writes the source clip into `dir` and returns its path. */
export async function makeBenchClip(cleanup: Cleanup, dir: string, clip: ClipSpec): Promise<string> {
  const output = join(dir, "source.mp4");
  await runFfmpegMeasured(cleanup, [benchClipArgs(output, clip)]);
  return output;
}

/**
 * Case (b): the job's own one-pass command, from the same pure builder with the same probe, renditions and
 * ladder config, into a folder of its own.
 */
export async function onePassCommand(input: string, hlsDir: string, probe: MediaProbe, renditions: readonly Rendition[], config: LadderConfig): Promise<string[]> {
  await mkdir(hlsDir, { recursive: true });
  return hlsLadderArgs({ input, hlsDir, probe, renditions, config });
}

/**
 * Case (c), PeerTube's structure: one process per rendition, each decoding the source again. Built by the same
 * builder with a single rendition, so encoder settings (preset, CRF, GOP, forced keyframes, maxrate, audio) match.
 */
export async function perRenditionCommands(input: string, outDir: string, probe: MediaProbe, renditions: readonly Rendition[], config: LadderConfig): Promise<string[][]> {
  const commands: string[][] = [];
  for (const rendition of renditions) {
    const hlsDir = join(outDir, rendition.name);
    await mkdir(hlsDir, { recursive: true });
    commands.push(hlsLadderArgs({ input, hlsDir, probe, renditions: [rendition], config }));
  }
  return commands;
}
