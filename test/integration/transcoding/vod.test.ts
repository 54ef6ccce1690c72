import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdir, readdir, writeFile } from "node:fs/promises";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { FfmpegError } from "../../../src/transcoding/ffmpeg.ts";
import { parseSegmentHashMap, sha256Hex } from "../../../src/transcoding/hashes.ts";
import { parseAttributes, parseMediaPlaylist } from "../../../src/transcoding/playlists.ts";
import { transcodeToHlsLadder, type VodOutput } from "../../../src/transcoding/vod.ts";
import { makeClip, probeStreams, tempFolder } from "./clips.ts";

// Short ladder, ultrafast and 2 s segments: several segments per rendition and quick on two cores.
const LADDER = { resolutions: [240, 360, 720], preset: "ultrafast", segmentSeconds: 2 };

let dir: { path: string; remove(): Promise<void> };
const file = (...parts: string[]) => join(dir.path, ...parts);

beforeAll(async () => {
  dir = await tempFolder("tubelet-vod-");
  await Promise.all([
    makeClip(file("landscape.mp4"), { width: 1280, height: 720, seconds: 6 }),
    makeClip(file("portrait.mp4"), { width: 360, height: 640, rate: "30000/1001", seconds: 5 }),
    makeClip(file("tone.m4a"), { video: false, seconds: 5 }),
    makeClip(file("silent-4x3.mp4"), { width: 320, height: 240, seconds: 4, audio: false }),
  ]);
}, 60_000);

afterAll(async () => {
  await dir.remove();
});

async function text(path: string): Promise<string> {
  return Bun.file(path).text();
}

/** The EXT-X-STREAM-INF attributes of every variant, keyed by playlist URI. */
async function masterVariants(output: VodOutput): Promise<Map<string, Map<string, string>>> {
  const lines = (await text(join(output.outputDir, output.masterPlaylist))).split("\n");
  const variants = new Map<string, Map<string, string>>();
  lines.forEach((line, i) => {
    if (line.startsWith("#EXT-X-STREAM-INF:")) variants.set(lines[i + 1]!.trim(), parseAttributes(line.slice(18)));
  });
  return variants;
}

/** Every file the hash map names hashes to its value, and every segment of every playlist is in the map. */
async function expectHashesMatch(output: VodOutput): Promise<void> {
  const hlsDir = join(output.outputDir, "hls");
  const map = parseSegmentHashMap(JSON.parse(await text(join(output.outputDir, output.segmentHashes))));
  for (const [name, hash] of Object.entries(map)) {
    expect(sha256Hex(await Bun.file(join(hlsDir, name)).arrayBuffer())).toBe(hash);
  }
  for (const rendition of output.renditions) {
    const playlist = parseMediaPlaylist(await text(join(hlsDir, rendition.playlist)));
    expect(Object.keys(map)).toContain(playlist.initSegment!);
    for (const segment of playlist.segments) expect(Object.keys(map)).toContain(segment.uri);
  }
}

/** Streams of a rendition as a player sees them: its init segment followed by its first media segment. */
async function renditionStreams(output: VodOutput, name: string) {
  const hlsDir = join(output.outputDir, "hls");
  const playlist = parseMediaPlaylist(await text(join(hlsDir, `${name}.m3u8`)));
  const joined = file(`probe-${name}-${Date.now()}.mp4`);
  const parts = [playlist.initSegment!, playlist.segments[0]!.uri].map((f) => Bun.file(join(hlsDir, f)).arrayBuffer());
  await writeFile(joined, Buffer.concat((await Promise.all(parts)).map((b) => new Uint8Array(b))));
  return probeStreams(joined);
}

async function extinfs(output: VodOutput, playlist: string): Promise<number[]> {
  return parseMediaPlaylist(await text(join(output.outputDir, "hls", playlist))).segments.map((s) => s.durationSeconds);
}

describe("transcodeToHlsLadder", () => {
  test("720p30 with audio: three aligned renditions, complete master playlist, hashes, images, download", async () => {
    const progress: number[] = [];
    const output = await transcodeToHlsLadder({
      input: file("landscape.mp4"), outputDir: file("out", "landscape"), workDir: file("work", "landscape"),
      ladder: LADDER, downloadMp4: true, onProgress: (p) => progress.push(p),
    });
    expect(output.renditions.map((r) => `${r.name} ${r.width}x${r.height}`)).toEqual(["240p 426x240", "360p 640x360", "720p 1280x720"]);
    expect(existsSync(file("work", "landscape"))).toBe(false);

    const variants = await masterVariants(output);
    expect([...variants.keys()]).toEqual(["240p.m3u8", "360p.m3u8", "720p.m3u8"]);
    for (const rendition of output.renditions) {
      const attributes = variants.get(rendition.playlist)!;
      expect(Number(attributes.get("BANDWIDTH"))).toBeGreaterThan(0);
      expect(attributes.get("RESOLUTION")).toBe(`${rendition.width}x${rendition.height}`);
      expect(attributes.get("CODECS")).toMatch(/^"avc1\.[0-9a-f]{6},mp4a\.40\.2"$/);
      expect(attributes.get("FRAME-RATE")).toBe("30.000");
      const streams = await renditionStreams(output, rendition.name);
      expect(streams.find((s) => s.codec_type === "video")).toMatchObject({ codec_name: "h264", width: rendition.width, height: rendition.height, pix_fmt: "yuv420p" });
      expect(streams.find((s) => s.codec_type === "audio")).toMatchObject({ codec_name: "aac" });
    }

    // Keyframes aligned: every rendition cuts its segments at the same times.
    const durations = await Promise.all(output.renditions.map((r) => extinfs(output, r.playlist)));
    expect(durations[0]!.length).toBe(3);
    for (const list of durations) expect(list).toEqual(durations[0]!);

    await expectHashesMatch(output);
    expect(await probeStreams(join(output.outputDir, output.thumbnail!))).toMatchObject([{ width: 280, height: 158 }]);
    expect(await probeStreams(join(output.outputDir, output.preview!))).toMatchObject([{ width: 850, height: 478 }]);
    expect((await probeStreams(join(output.outputDir, output.download!))).map((s) => s.codec_name)).toEqual(["h264", "aac"]);
    expect(progress.at(-1)).toBe(100);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
  }, 60_000);

  test("portrait 29.97 fps: rungs by the shorter side, never upscaled", async () => {
    const output = await transcodeToHlsLadder({
      input: file("portrait.mp4"), outputDir: file("out", "portrait"), workDir: file("work", "portrait"), ladder: LADDER,
    });
    expect(output.renditions.map((r) => `${r.name} ${r.width}x${r.height}`)).toEqual(["240p 240x426", "360p 360x640"]);
    const variants = await masterVariants(output);
    expect(variants.get("240p.m3u8")?.get("RESOLUTION")).toBe("240x426");
    expect(variants.get("360p.m3u8")?.get("FRAME-RATE")).toBe("29.970");
    expect((await renditionStreams(output, "240p")).find((s) => s.codec_type === "video")).toMatchObject({ width: 240, height: 426 });
    expect(await extinfs(output, "240p.m3u8")).toEqual(await extinfs(output, "360p.m3u8"));
    await expectHashesMatch(output);
  }, 60_000);

  test("4:3 video without audio below the top rungs: a single video-only rendition", async () => {
    const output = await transcodeToHlsLadder({
      input: file("silent-4x3.mp4"), outputDir: file("out", "silent"), workDir: file("work", "silent"), ladder: LADDER,
    });
    expect(output.renditions.map((r) => `${r.playlist} ${r.initSegment} ${r.width}x${r.height} ${r.codecs}`)).toEqual([
      expect.stringMatching(/^240p\.m3u8 240p-init\.mp4 320x240 avc1\.[0-9a-f]{6}$/),
    ]);
    const attributes = (await masterVariants(output)).get("240p.m3u8")!;
    expect(attributes.get("RESOLUTION")).toBe("320x240");
    expect(attributes.get("CODECS")).not.toContain("mp4a");
    expect(await renditionStreams(output, "240p")).toMatchObject([{ codec_type: "video", width: 320, height: 240 }]);
    await expectHashesMatch(output);
    expect(await probeStreams(join(output.outputDir, output.preview!))).toMatchObject([{ width: 320, height: 240 }]);
  }, 60_000);

  test("audio-only input gives one AAC rendition and a master playlist, no images", async () => {
    const output = await transcodeToHlsLadder({
      input: file("tone.m4a"), outputDir: file("out", "tone"), workDir: file("work", "tone"), ladder: LADDER, downloadMp4: true,
    });
    expect(output.audioOnly).toBe(true);
    expect(output.renditions.map((r) => r.playlist)).toEqual(["audio.m3u8"]);
    const attributes = (await masterVariants(output)).get("audio.m3u8")!;
    expect(attributes.get("CODECS")).toBe('"mp4a.40.2"');
    expect(attributes.has("RESOLUTION")).toBe(false);
    expect(Number(attributes.get("BANDWIDTH"))).toBeGreaterThan(64_000);
    expect(await renditionStreams(output, "audio")).toMatchObject([{ codec_type: "audio", codec_name: "aac" }]);
    await expectHashesMatch(output);
    expect([output.thumbnail, output.preview]).toEqual([null, null]);
    expect(existsSync(join(output.outputDir, "download.mp4"))).toBe(true);
  }, 60_000);

  test("a re-transcode replaces the previous output as a whole", async () => {
    const outputDir = file("out", "again");
    await mkdir(join(outputDir, "hls"), { recursive: true });
    await writeFile(join(outputDir, "hls", "stale-0000.m4s"), "old");
    await transcodeToHlsLadder({ input: file("tone.m4a"), outputDir, workDir: file("work", "again"), ladder: LADDER, images: false });
    expect(existsSync(join(outputDir, "hls", "stale-0000.m4s"))).toBe(false);
    expect(existsSync(join(outputDir, "hls", "master.m3u8"))).toBe(true);
    expect((await readdir(file("out"))).filter((name) => name.includes(".old-"))).toEqual([]);
  }, 60_000);
});

describe("transcodeToHlsLadder failures leave nothing behind", () => {
  test("aborted mid-transcode, after segments were written", async () => {
    const workDir = file("work", "aborted");
    const outputDir = file("out", "aborted");
    const controller = new AbortController();
    let segmentsAtAbort = 0;
    let percentAtAbort = 0;
    const run = transcodeToHlsLadder({
      input: file("landscape.mp4"), outputDir, workDir, signal: controller.signal,
      ladder: { ...LADDER, preset: "medium" },
      // Abort at the first progress report after ffmpeg has written a segment: a genuinely half-done ladder.
      onProgress: (percent) => {
        percentAtAbort = percent;
        const files = existsSync(join(workDir, "hls")) ? readdirSync(join(workDir, "hls")) : [];
        segmentsAtAbort = files.filter((f) => f.endsWith(".m4s")).length;
        if (segmentsAtAbort > 0) controller.abort();
      },
    });
    const error = await run.then(() => null, (e: unknown) => e);
    expect(error).toBeInstanceOf(FfmpegError);
    expect((error as FfmpegError).reason).toBe("aborted");
    expect(segmentsAtAbort).toBeGreaterThan(0);
    expect(percentAtAbort).toBeLessThan(90); // still in the ladder step
    expect(existsSync(workDir)).toBe(false);
    expect(existsSync(outputDir)).toBe(false);
  }, 60_000);

  test("ffmpeg failing carries its last stderr lines", async () => {
    const workDir = file("work", "failed");
    const outputDir = file("out", "failed");
    const error = await transcodeToHlsLadder({
      input: file("landscape.mp4"), outputDir, workDir, ladder: { ...LADDER, preset: "no-such-preset" },
    }).then(() => null, (e: unknown) => e);
    expect(error).toBeInstanceOf(FfmpegError);
    const failure = error as FfmpegError;
    expect(failure.reason).toBe("failed");
    expect(failure.exitCode).not.toBe(0);
    expect(failure.stderrTail.join("\n")).toMatch(/preset/i);
    expect(existsSync(workDir)).toBe(false);
    expect(existsSync(outputDir)).toBe(false);
  }, 60_000);

  test("refuses a work folder inside the output folder", async () => {
    const outputDir = file("out", "nested");
    await expect(transcodeToHlsLadder({ input: file("tone.m4a"), outputDir, workDir: join(outputDir, "tmp") })).rejects.toThrow(/must not contain each other/);
  });
});
