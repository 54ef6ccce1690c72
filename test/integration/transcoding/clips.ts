/** Small media files generated with ffmpeg's lavfi sources, and ffprobe helpers, for transcoding tests. */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** Runs ffmpeg or ffprobe with an argument array; throws with stderr on failure, returns stdout. */
export async function tool(program: "ffmpeg" | "ffprobe", args: string[]): Promise<string> {
  const proc = Bun.spawn([program, "-hide_banner", "-loglevel", "error", ...args], { stdin: "ignore", stdout: "pipe", stderr: "pipe" });
  const [code, stdout, stderr] = await Promise.all([proc.exited, new Response(proc.stdout).text(), new Response(proc.stderr).text()]);
  if (code !== 0) throw new Error(`${program} ${args.join(" ")} failed (${code}): ${stderr}`);
  return stdout;
}

export interface ClipOptions {
  readonly width?: number;
  readonly height?: number;
  readonly rate?: string;
  readonly seconds: number;
  readonly audio?: boolean;
  readonly video?: boolean;
  /** Extra output options, e.g. ["-movflags", "+faststart"]. */
  readonly extra?: string[];
}

/** A test pattern with a sine tone, encoded quickly; the container follows the output's extension. */
export async function makeClip(path: string, options: ClipOptions): Promise<string> {
  const inputs: string[] = [];
  const codecs: string[] = [];
  if (options.video !== false) {
    inputs.push("-f", "lavfi", "-i", `testsrc2=size=${options.width ?? 1280}x${options.height ?? 720}:rate=${options.rate ?? "30"}`);
    codecs.push("-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p");
  }
  if (options.audio !== false) {
    inputs.push("-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000");
    codecs.push("-c:a", "aac", "-b:a", "96k");
  }
  await tool("ffmpeg", ["-nostdin", "-y", ...inputs, "-t", String(options.seconds), ...codecs, ...(options.extra ?? []), path]);
  return path;
}

/** A temporary folder under the OS temp dir, and its removal. */
export async function tempFolder(prefix: string): Promise<{ path: string; remove(): Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), prefix));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}

export interface StreamSummary {
  codec_type: string;
  codec_name: string;
  width?: number;
  height?: number;
  pix_fmt?: string;
}

/** ffprobe's stream list of a file. */
export async function probeStreams(path: string): Promise<StreamSummary[]> {
  const json = JSON.parse(await tool("ffprobe", ["-print_format", "json", "-show_streams", path])) as { streams: StreamSummary[] };
  return json.streams;
}
