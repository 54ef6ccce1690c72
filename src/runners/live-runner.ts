/**
 * A live on a runner: the instance's FLV stream goes into the same live ffmpeg (liveHlsArgs) as on the instance,
 * and every complete segment, then the playlists that name it, are sent back as they appear. ffmpeg writes
 * segments as `.tmp` and renames them when complete and replaces playlists by rename, so a file read here is
 * whole; a segment is sent once, a playlist whenever its text changed.
 */
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { liveHlsArgs, LIVE_MASTER_PLAYLIST } from "../live/transcode-args.ts";
import { startLiveTranscoder } from "../live/transcoder.ts";
import type { LiveJobOutput } from "./live-feeds.ts";
import type { AcceptedJob, JobTokens, RunnerClient } from "./client.ts";

/** How often the output folder is looked at: a quarter of the shortest (1 s) segment. */
const SCAN_MS = 250;

/** Files to send now: new segments first, then playlists whose text changed; remembers what was sent. */
async function newFiles(dir: string, sentSegments: Set<string>, sentPlaylists: Map<string, string>): Promise<{ name: string; bytes: Uint8Array }[]> {
  const names = await readdir(dir).catch(() => [] as string[]);
  const segments = names.filter((n) => n.endsWith(".ts") && !sentSegments.has(n));
  const playlists = names.filter((n) => n.endsWith(".m3u8"));
  const files: { name: string; bytes: Uint8Array }[] = [];
  for (const name of segments) {
    const bytes = await Bun.file(join(dir, name)).bytes().catch(() => null);
    if (bytes) files.push({ name, bytes });
  }
  // The master playlist last: it names the rendition playlists, which must exist first.
  for (const name of playlists.sort((a, b) => Number(a === LIVE_MASTER_PLAYLIST) - Number(b === LIVE_MASTER_PLAYLIST))) {
    const text = await Bun.file(join(dir, name)).text().catch(() => null);
    if (text !== null && sentPlaylists.get(name) !== text) files.push({ name, bytes: new TextEncoder().encode(text) });
  }
  return files;
}

/** Runs one live job until the instance's stream ends (then ffmpeg finishes and the last files are sent) or `signal` aborts. */
export async function runLiveJob(client: RunnerClient, tokens: JobTokens, job: AcceptedJob, workRoot: string, signal: AbortSignal): Promise<void> {
  const input = (job.payload.input ?? {}) as { streamUrl?: string };
  const output = job.payload.output as LiveJobOutput | undefined;
  if (!input.streamUrl || !output) throw new Error("the live job names no stream or output");
  const dir = join(workRoot, job.uuid, "hls");
  const transcoder = await startLiveTranscoder({ args: liveHlsArgs({ ...output, outputDir: dir }), outputDir: dir });
  const sentSegments = new Set<string>();
  const sentPlaylists = new Map<string, string>();
  const sendNew = async () => {
    const files = await newFiles(dir, sentSegments, sentPlaylists);
    if (!files.length) return;
    await client.sendLiveFiles(tokens, job.uuid, files);
    for (const f of files) {
      if (f.name.endsWith(".ts")) sentSegments.add(f.name);
      else sentPlaylists.set(f.name, new TextDecoder().decode(f.bytes));
    }
  };
  let sending: Promise<void> = Promise.resolve();
  let failure: Error | null = null;
  const scanner = setInterval(() => {
    sending = sending.then(sendNew).catch((error: Error) => { failure = error; });
  }, SCAN_MS);
  const onAbort = () => transcoder.kill();
  signal.addEventListener("abort", onAbort, { once: true });
  try {
    const reader = (await client.openStream(tokens, input.streamUrl)).getReader();
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
      if (failure) throw failure;
      await transcoder.write(chunk.value);
    }
    const code = await transcoder.end();
    clearInterval(scanner);
    await sending;
    await sendNew();
    if (failure) throw failure;
    if (code !== 0) throw new Error(`live ffmpeg exited with ${code}`);
  } finally {
    clearInterval(scanner);
    signal.removeEventListener("abort", onAbort);
    transcoder.kill();
  }
}
