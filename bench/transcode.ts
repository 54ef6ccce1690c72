/**
 * VOD transcoding: a 60 s 1080p30 clip to a 240/360/480/720/1080 HLS ladder, three ways, in one run:
 *   (a) Tubelet's pipeline in a real server, from the upload request's answer to the API saying "published";
 *   (b) the job's one-pass ffmpeg command (same builder, same options) run bare;
 *   (c) one ffmpeg per rendition run one after another with the same encoder settings (PeerTube's structure).
 * Prints wall times, peak RSS (server + ffmpeg), the ratios a/b and a/c against the targets, where (a)
 * spends its time, and what its extra steps cost when run alone.
 */
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseConfig } from "../src/config.ts";
import { downloadMp4Args, imageArgs } from "../src/transcoding/args.ts";
import { runFfmpeg } from "../src/transcoding/ffmpeg.ts";
import { hashSegments } from "../src/transcoding/hashes.ts";
import { chooseRenditions, DEFAULT_LADDER, type LadderConfig, type Rendition } from "../src/transcoding/ladder.ts";
import { probeMedia, type MediaProbe } from "../src/transcoding/probe.ts";
import { DOWNLOAD_FILE, PREVIEW_FILE, THUMBNAIL_FILE } from "../src/transcoding/vod.ts";
import { withCleanup, type Cleanup } from "./lib/cleanup.ts";
import { warnIfMachineBusy } from "./lib/process.ts";
import { mib, MIB, printTable, ratio } from "./lib/table.ts";
import { makeBenchClip, onePassCommand, perRenditionCommands, runFfmpegMeasured, type Measured } from "./lib/transcode-media.ts";
import { machineBusySeconds, ownCpuSeconds, ProcessTreeSampler, treeCpuSeconds, waitForQuietMachine, type Sighting } from "./lib/transcode-proc.ts";
import { startUploadTarget, uploadVideo, waitUntilPublished } from "./lib/transcode-server.ts";
import { createInstance } from "./lib/tubelet.ts";

const CLIP = { seconds: 60, width: 1920, height: 1080, fps: 30 } as const;
const RESOLUTIONS = [240, 360, 480, 720, 1080] as const;
/** Polling period for /proc and for the video's state, as the issue asks. */
const POLL_MS = 100;

/** Targets and PeerTube 6.3's figures from the issue (same kind of machine, not this one). */
const TARGET_VS_ONE_PASS = 1.05;
const TARGET_VS_PER_RENDITION = 0.8;
/** Share of the machine's CPU time used by other processes during a case above which its figures are flagged. */
const OTHER_CPU_WARNING_SHARE = 0.03;
const PEERTUBE = { allRenditionsS: 81.8, publishedS: 41, onePassS: 44, perRenditionS: 56, peakRssMB: 920 } as const;

interface PipelineRun extends Measured {
  /** Upload request sent -> answered: transfer, staging write, ffprobe and the tail-decode truncation check. */
  readonly uploadMs: number;
  readonly uploadPeakRssBytes: number;
  readonly serverPeakRssBytes: number;
  /** CPU used by the server process itself (not its ffmpeg children) during (a). */
  readonly serverOwnCpuSeconds: number;
  /** Children seen during the upload request and during the pipeline, times relative to the upload's answer. */
  readonly uploadChildren: readonly Sighting[];
  readonly pipelineChildren: readonly Sighting[];
  readonly uploadedAt: number;
  readonly command: string;
}

/** Names the server's children from their command lines (ffmpeg may be wrapped in `setpriv ... --`). */
function classifyChild(argv: readonly string[]): string | null {
  const has = (test: (arg: string) => boolean) => argv.some(test);
  if (has((a) => a.endsWith("ffprobe"))) return "ffprobe";
  if (!has((a) => a.endsWith("ffmpeg"))) return null;
  if (has((a) => a === "-var_stream_map")) return "ladder ffmpeg";
  if (has((a) => a.endsWith(THUMBNAIL_FILE))) return "thumbnail + preview ffmpeg";
  if (has((a) => a.endsWith(DOWNLOAD_FILE))) return "download MP4 remux ffmpeg";
  if (has((a) => a === "null")) return "tail-decode check ffmpeg";
  return "other ffmpeg";
}

/** Case (a): a fresh instance, one upload, polled until published; /proc sampled all along. */
async function measurePipeline(cleanup: Cleanup, clip: string, serverEnv: Record<string, string>): Promise<PipelineRun> {
  const instance = await createInstance(cleanup, { migrated: true });
  const target = await startUploadTarget(cleanup, instance, serverEnv);
  const pid = target.server.pid;
  const sampler = new ProcessTreeSampler(pid, classifyChild, POLL_MS).start();
  try {
    const uploadStart = performance.now();
    const video = await uploadVideo(target, clip, "Transcoding benchmark");
    const uploadedAt = performance.now();
    const cpuBefore = treeCpuSeconds(pid);
    const ownBefore = ownCpuSeconds(pid);
    const busyBefore = machineBusySeconds();
    const publishedAt = await waitUntilPublished(target, video.id, { intervalMs: POLL_MS });
    sampler.stop();
    const cpuSeconds = treeCpuSeconds(pid) - cpuBefore;
    const serverOwnCpuSeconds = ownCpuSeconds(pid) - ownBefore;
    const otherCpuSeconds = Math.max(0, machineBusySeconds() - busyBefore - cpuSeconds);
    const pipeline = sampler.peakBetween(uploadedAt, publishedAt);
    const children = sampler.sightings;
    return {
      wallMs: publishedAt - uploadedAt,
      peakRssBytes: pipeline.treeRssBytes,
      serverPeakRssBytes: pipeline.rootRssBytes,
      serverOwnCpuSeconds,
      kernelMaxRssBytes: 0, // not available: the server, not this process, reaps its ffmpeg children
      cpuSeconds,
      otherCpuSeconds,
      uploadMs: uploadedAt - uploadStart,
      uploadPeakRssBytes: sampler.peakBetween(uploadStart, uploadedAt).treeRssBytes,
      uploadChildren: children.filter((s) => s.firstSeen < uploadedAt),
      pipelineChildren: children.filter((s) => s.firstSeen >= uploadedAt),
      uploadedAt,
      command: target.command,
    };
  } finally {
    sampler.stop();
    // Stopped now rather than at cleanup, so an idle server does not share the CPUs with (b) and (c).
    await target.server.stop();
  }
}

/** Lets other work on the machine finish before a case starts (it is still flagged if it comes back meanwhile). */
async function quietBefore(name: string): Promise<void> {
  if (!(await waitForQuietMachine())) console.log(`bench: the machine stayed busy for a minute; running ${name} anyway`);
}

/** Times one async step. */
async function timed(step: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await step();
  return performance.now() - started;
}

/**
 * The pipeline's steps besides the ladder, each run alone on this clip and on (b)'s output, so their cost is
 * known without the 100 ms resolution of the /proc timeline.
 */
async function measureSteps(clip: string, onePassDir: string, probe: MediaProbe, renditions: readonly Rendition[], scratch: string) {
  await mkdir(scratch, { recursive: true });
  const ffprobeMs = await timed(() => probeMedia(clip, { checkTruncation: false }));
  const probeWithTailMs = await timed(() => probeMedia(clip));
  const hashMs = await timed(() => hashSegments(onePassDir, renditions.map((r) => `${r.name}.m3u8`)));
  const imagesMs = await timed(() =>
    runFfmpeg({ args: imageArgs({ input: clip, probe, thumbnailPath: join(scratch, THUMBNAIL_FILE), previewPath: join(scratch, PREVIEW_FILE) }) }),
  );
  const top = join(onePassDir, `${renditions[renditions.length - 1]!.name}.m3u8`);
  const downloadMs = await timed(() => runFfmpeg({ args: downloadMp4Args(top, join(scratch, DOWNLOAD_FILE)) }));
  return [
    ["ffprobe (upload request, and again in the job)", ffprobeMs],
    ["tail-decode truncation check (upload request only)", probeWithTailMs - ffprobeMs],
    ["SHA-256 of every segment (job)", hashMs],
    ["thumbnail + preview ffmpeg (job)", imagesMs],
    ["download MP4 remux of the 1080p rendition (job)", downloadMs],
  ] as const;
}

export async function run(): Promise<void> {
  await withCleanup(async (cleanup) => {
    await warnIfMachineBusy();
    const work = await mkdtemp(join(tmpdir(), "tubelet-bench-transcode-"));
    cleanup.defer(`remove ${work}`, () => rm(work, { recursive: true, force: true }));

    console.log(`bench: generating the ${CLIP.seconds} s ${CLIP.height}p${CLIP.fps} source clip (testsrc2 + sine, H.264 CRF 18 + AAC) ...`);
    const generating = performance.now();
    const clip = await makeBenchClip(cleanup, work, CLIP);
    const clipMB = Bun.file(clip).size / 1e6;
    console.log(`bench: clip ready in ${seconds(performance.now() - generating)} s (${clipMB.toFixed(1)} MB, ${((clipMB * 8) / CLIP.seconds).toFixed(1)} Mbit/s)`);

    // The ladder the server's job uses: the same config parser on the environment the server gets (ours plus the
    // resolutions; preset and segment length left at their defaults), the same defaults as transcode-job.ts.
    const serverEnv = { TUBELET_RESOLUTIONS: RESOLUTIONS.join(",") };
    const videos = parseConfig({ ...process.env, ...serverEnv }).videos;
    const ladder: LadderConfig = { ...DEFAULT_LADDER, resolutions: videos.resolutions, segmentSeconds: videos.segmentSeconds, preset: videos.preset };
    const probe = await probeMedia(clip, { checkTruncation: false });
    const renditions = chooseRenditions(probe, ladder);
    const names = renditions.map((r) => r.name).join(",");
    if (names !== RESOLUTIONS.map((r) => `${r}p`).join(",")) throw new Error(`unexpected renditions for the clip: ${names}`);

    console.log(`bench: (a) server pipeline: upload, then poll until published ...`);
    await quietBefore("(a)");
    const a = await measurePipeline(cleanup, clip, serverEnv);
    console.log(`bench: (a) ${(a.wallMs / 1000).toFixed(1)} s; (b) bare one-pass ffmpeg ...`);
    const onePassDir = join(work, "one-pass");
    await quietBefore("(b)");
    const b = await runFfmpegMeasured(cleanup, [await onePassCommand(clip, onePassDir, probe, renditions, ladder)], POLL_MS);
    console.log(`bench: (b) ${(b.wallMs / 1000).toFixed(1)} s; (c) one ffmpeg per rendition, one after another ...`);
    await quietBefore("(c)");
    const c = await runFfmpegMeasured(cleanup, await perRenditionCommands(clip, join(work, "per-rendition"), probe, renditions, ladder), POLL_MS);
    console.log(`bench: (c) ${(c.wallMs / 1000).toFixed(1)} s; timing the pipeline's other steps alone ...`);
    const steps = await measureSteps(clip, onePassDir, probe, renditions, join(work, "steps"));

    report({ a, b, c, steps, ladder, clipMB });
  });
}

const seconds = (msValue: number) => (msValue / 1000).toFixed(1);
const check = (ok: boolean) => (ok ? "✓" : "✗");

/** Rows for the server's timeline: each child ffmpeg seen, and the gaps between them with what runs there. */
function timelineRows(a: PipelineRun): string[][] {
  const gapBefore: Record<string, string> = {
    ffprobe: "job pickup from BullMQ, video row read",
    "ladder ffmpeg": "work folder emptied, ladder chosen",
    "thumbnail + preview ffmpeg": "playlists read back, master rewritten, segment SHA-256",
    "download MP4 remux ffmpeg": "between images and remux",
  };
  // A child shorter than one poll can go unseen; its time then shows in the gap around it.
  const seen = (label: string) => a.pipelineChildren.some((s) => s.label === label);
  const unseen = ["ffprobe", "ladder ffmpeg", "thumbnail + preview ffmpeg", "download MP4 remux ffmpeg"].filter((label) => !seen(label));
  const rows: string[][] = [];
  let previousEnd = a.uploadedAt;
  const line = (step: string, from: number, to: number) =>
    rows.push([step, `${seconds(from - a.uploadedAt)}`, `${seconds(to - a.uploadedAt)}`, `${((to - from) / 1000).toFixed(2)}`]);
  for (const child of a.pipelineChildren) {
    line(`  (gap: ${gapBefore[child.label] ?? "server work"})`, previousEnd, child.firstSeen);
    line(`${child.label} (pid ${child.pid}, peak ${mib(child.peakRssBytes)} MiB)`, child.firstSeen, child.lastSeen);
    previousEnd = child.lastSeen;
  }
  line("  (gap: move into place, sizes, DB update, poll)", previousEnd, a.uploadedAt + a.wallMs);
  if (unseen.length) rows.push([`  not seen (under ${POLL_MS} ms, inside a gap): ${unseen.join(", ")}`, "—", "—", "—"]);
  return rows;
}

function report(r: { a: PipelineRun; b: Measured; c: Measured; steps: readonly (readonly [string, number])[]; ladder: LadderConfig; clipMB: number }): void {
  const { a, b, c } = r;
  const full = { ...a, wallMs: a.wallMs + a.uploadMs };
  const row = (name: string, m: Measured) => [
    name, seconds(m.wallMs), mib(m.peakRssBytes), m.cpuSeconds.toFixed(1), m.otherCpuSeconds.toFixed(1), ratio(m.wallMs / b.wallMs), ratio(m.wallMs / c.wallMs),
  ];
  const ladder = r.ladder;
  console.log(`\nVOD transcoding: ${CLIP.seconds} s ${CLIP.width}x${CLIP.height} ${CLIP.fps} fps (testsrc2 + sine, ${r.clipMB.toFixed(1)} MB) -> HLS ${RESOLUTIONS.join("/")}p`);
  console.log(`libx264 ${ladder.preset} CRF ${ladder.crf} capped, ${ladder.segmentSeconds} s fMP4 segments, AAC ${ladder.audioBitrateKbps}k; server run as ${a.command}.`);
  console.log(`All cases ran one after another on the same ${navigator.hardwareConcurrency} cores; nothing else of ours ran meanwhile.\n`);
  printTable(
    ["case", "wall s", "peak RSS MiB", "CPU s", "others' CPU s", "vs (b)", "vs (c)"],
    [
      row("(a) Tubelet: upload answered -> published", a),
      row("(b) bare one-pass ffmpeg (hlsLadderArgs)", b),
      row("(c) one ffmpeg per rendition, in sequence", c),
      row("(a') Tubelet incl. upload request", full),
    ],
  );
  // Other work on the machine slows a case down and skews every ratio it is part of; say so next to the figures.
  const cores = navigator.hardwareConcurrency;
  for (const [name, m] of [["(a)", a], ["(b)", b], ["(c)", c]] as const) {
    const share = m.otherCpuSeconds / ((m.wallMs / 1000) * cores);
    if (share > OTHER_CPU_WARNING_SHARE) {
      console.log(`WARNING: other processes used ${(share * 100).toFixed(0)}% of the CPUs during ${name}; its time is too high and its ratios are unreliable.`);
    }
  }
  const ab = a.wallMs / b.wallMs;
  const ac = a.wallMs / c.wallMs;
  console.log("\nTargets");
  printTable(
    ["ratio", "value", "target", "met"],
    [
      ["(a) / (b)", ratio(ab), `≤ ${TARGET_VS_ONE_PASS.toFixed(2)}`, check(ab <= TARGET_VS_ONE_PASS)],
      ["(a) / (c)", ratio(ac), `≤ ${TARGET_VS_PER_RENDITION.toFixed(2)}`, check(ac <= TARGET_VS_PER_RENDITION)],
    ],
  );
  const mb = (bytes: number) => bytes / 1e6;
  console.log(`CPU time (a)/(b): ${ratio(a.cpuSeconds / b.cpuSeconds)}, (a)/(c): ${ratio(a.cpuSeconds / c.cpuSeconds)} (hardly moved by other load, unlike wall time).`);
  console.log("\nPeerTube 6.3 reference (from the issue: same kind of machine, not this run)");
  printTable(
    ["figure", "Tubelet", "PeerTube 6.3", "Tubelet / PeerTube"],
    [
      ["upload -> all renditions, s (a)", seconds(a.wallMs), PEERTUBE.allRenditionsS.toFixed(1), ratio(a.wallMs / 1000 / PEERTUBE.allRenditionsS)],
      ["upload -> published, s (a; PeerTube publishes after its first rendition)", seconds(a.wallMs), PEERTUBE.publishedS.toFixed(1), ratio(a.wallMs / 1000 / PEERTUBE.publishedS)],
      ["peak RSS, MB (a, server + ffmpeg)", mb(a.peakRssBytes).toFixed(0), String(PEERTUBE.peakRssMB), ratio(mb(a.peakRssBytes) / PEERTUBE.peakRssMB)],
      ["bare one-pass ffmpeg, s (b)", seconds(b.wallMs), PEERTUBE.onePassS.toFixed(1), ratio(b.wallMs / 1000 / PEERTUBE.onePassS)],
      ["one ffmpeg per rendition, s (c)", seconds(c.wallMs), PEERTUBE.perRenditionS.toFixed(1), ratio(c.wallMs / 1000 / PEERTUBE.perRenditionS)],
      ["(a) / (b)", ratio(ab), ratio(PEERTUBE.allRenditionsS / PEERTUBE.onePassS), "—"],
      ["(a) / (c)", ratio(ac), ratio(PEERTUBE.allRenditionsS / PEERTUBE.perRenditionS), "—"],
    ],
  );

  console.log(`\nWhere (a) spends its time (children of the server seen in /proc every ${POLL_MS} ms; s after the upload's answer)`);
  printTable(["step", "from s", "to s", "takes s"], timelineRows(a));
  const uploadKids = a.uploadChildren.map((s) => s.label).join(", ") || "none seen";
  console.log(
    `Upload request: ${seconds(a.uploadMs)} s (transfer, staging write, ${uploadKids}); peak RSS meanwhile ${mib(a.uploadPeakRssBytes)} MiB. ` +
      `During (a) the server process alone peaked at ${mib(a.serverPeakRssBytes)} MiB and used ${a.serverOwnCpuSeconds.toFixed(1)} CPU s ` +
      `(HTTP, including this benchmark's polls every ${POLL_MS} ms, BullMQ, progress, hashing).`,
  );
  const ladderRun = a.pipelineChildren.find((s) => s.label === "ladder ffmpeg");
  if (ladderRun) {
    const inServer = ladderRun.lastSeen - ladderRun.firstSeen;
    console.log(`Ladder ffmpeg inside the server: ${seconds(inServer)} s vs ${seconds(b.wallMs)} s bare (${ratio(inServer / b.wallMs)}); the rest of (a): ${seconds(a.wallMs - inServer)} s.`);
  }

  console.log("\nThe pipeline's other steps, each run alone on this clip / on (b)'s output");
  printTable(["step", "ms"], r.steps.map(([step, value]) => [step, value.toFixed(0)]));
  const extraMs = a.wallMs - b.wallMs;
  console.log(`(a) - (b) = ${(extraMs / 1000).toFixed(2)} s (${((ab - 1) * 100).toFixed(1)}% over bare ffmpeg; the target allows ${((TARGET_VS_ONE_PASS - 1) * 100).toFixed(0)}% = ${((b.wallMs * (TARGET_VS_ONE_PASS - 1)) / 1000).toFixed(2)} s).`);

  console.log(`
Notes:
- Everything shares the machine's ${navigator.hardwareConcurrency} cores; ffmpeg uses all of them, so the server's own work (HTTP, BullMQ, the
  progress pipe, hashing) competes with the encoder. "others' CPU s" is CPU the rest of the machine used during a case
  (this benchmark's polling included); a large figure there means the timings are not to be trusted.
- Peak RSS is the highest sum of VmRSS over the process tree (server + ffmpeg) in ${POLL_MS} ms polls, so pages shared between
  processes count once per process. For (b) and (c) the kernel's own high-water mark of ffmpeg was ${mib(b.kernelMaxRssBytes)}
  and ${mib(c.kernelMaxRssBytes)} MiB (polled: ${mib(b.peakRssBytes)} and ${mib(c.peakRssBytes)}). 1 MiB = ${MIB} bytes; PeerTube's figure is in MB.
- (a) ends when a poll every ${POLL_MS} ms sees state 1 (published), so it is up to ${POLL_MS} ms late; the upload's ffprobe and
  tail-decode check run inside the upload request, before (a) starts: see (a').
- (c) decodes the 1080p source five times and encodes the audio five times; that is what PeerTube's structure costs.`);
}
