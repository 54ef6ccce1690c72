/**
 * The live HLS pieces against real ffmpeg: FLV (what the RTMP ingest hands over) goes through
 * startLiveTranscoder with liveHlsArgs, the segment watcher hashes what comes out, and the replay remux
 * turns kept segments into an MP4. Also the test card's command line, run into a file instead of RTMP.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { isReplayPlaylist, keptSegments, replayPlaylist, replayPlaylistName, replayRemuxArgs } from "../../src/live/replay-args.ts";
import { watchLiveSegments } from "../../src/live/segment-hashes.ts";
import { runTestcard, testcardArgs } from "../../src/live/testcard.ts";
import { liveHlsArgs, liveRenditionsFor, type LiveHlsOptions, type StreamInfo } from "../../src/live/transcode-args.ts";
import { LiveTranscoderClosedError, startLiveTranscoder, type LiveTranscoder } from "../../src/live/transcoder.ts";
import { sha256Hex } from "../../src/transcoding/hashes.ts";
import { parseMediaPlaylist } from "../../src/transcoding/playlists.ts";
import { waitFor } from "../helpers/processes.ts";
import { makeClip, tempFolder, tool } from "./transcoding/clips.ts";

const SECONDS = 7;
const SOURCE: StreamInfo = { hasVideo: true, hasAudio: true, width: 640, height: 360, frameRate: 30, videoCodecId: 7, audioCodecId: 10 };

let dir: { path: string; remove(): Promise<void> };
const file = (...parts: string[]) => join(dir.path, ...parts);

beforeAll(async () => {
  dir = await tempFolder("tubelet-live-");
  // A keyframe every second, as OBS is told to send for low latency; passthrough cuts segments on them.
  const gop = ["-g", "30"];
  await Promise.all([
    makeClip(file("av.flv"), { width: 640, height: 360, seconds: SECONDS, extra: gop }),
    makeClip(file("audio.flv"), { video: false, seconds: 3 }),
    makeClip(file("video.flv"), { width: 320, height: 180, seconds: 3, audio: false, extra: gop }),
    makeClip(file("long.flv"), { width: 320, height: 180, seconds: 13, extra: gop }),
  ]);
}, 60_000);

afterAll(async () => {
  await dir.remove();
});

interface Probe {
  streams: { codec_type: string; codec_name: string; width?: number; height?: number }[];
  format: { duration: string };
}

async function probe(path: string): Promise<Probe> {
  return JSON.parse(await tool("ffprobe", ["-print_format", "json", "-show_streams", "-show_format", path])) as Probe;
}

/** Feeds an FLV file to the transcoder in 64 KiB writes, as the ingest does with RTMP chunks. */
async function feed(transcoder: LiveTranscoder, flv: Uint8Array, from = 0, to = flv.length): Promise<void> {
  for (let at = from; at < to; at += 65_536) await transcoder.write(flv.subarray(at, Math.min(to, at + 65_536)));
}

/** Runs a whole FLV through a live transcoder into `outputDir`; returns the exit code and stderr tail. */
async function transcode(input: string, options: Omit<LiveHlsOptions, "outputDir">, outputDir: string): Promise<{ code: number; stderr: string }> {
  let stderr = "";
  const transcoder = await startLiveTranscoder({ args: liveHlsArgs({ ...options, outputDir }), outputDir, onExit: (_, tail) => { stderr = tail; } });
  await feed(transcoder, await Bun.file(input).bytes());
  const code = await transcoder.end();
  return { code, stderr };
}

async function segmentDuration(path: string): Promise<number> {
  return Number((await probe(path)).format.duration);
}

describe("live HLS from FLV on stdin", () => {
  test("low latency, two renditions: playlists while live, 1 s A/V segments, date-times, hashes, replay MP4", async () => {
    const out = file("low");
    const renditions = liveRenditionsFor(SOURCE, [180, 360, 720]);
    expect(renditions.map((r) => r.name)).toEqual(["180p", "360p"]);
    let stderr = "";
    const transcoder = await startLiveTranscoder({
      args: liveHlsArgs({ outputDir: out, latency: "low", renditions, passthrough: false, source: SOURCE, keepAllSegments: true }),
      outputDir: out,
      onExit: (_, tail) => { stderr = tail; },
    });
    const watcher = watchLiveSegments({ dir: out, intervalMs: 20, keep: 12 });
    const flv = await Bun.file(file("av.flv")).bytes();
    // Half the stream, stdin still open: the live is already playable.
    await feed(transcoder, flv, 0, flv.length >> 1);
    const master = await waitFor("master.m3u8", async () => (await Bun.file(join(out, "master.m3u8")).exists()) && Bun.file(join(out, "master.m3u8")).text());
    expect(master).toContain("180p.m3u8");
    expect(master).toContain("360p.m3u8");
    await waitFor("segments hashed while live", () => Object.keys(watcher.current()).length >= 2);
    await feed(transcoder, flv, flv.length >> 1);
    expect(await transcoder.end()).toBe(0);
    expect(stderr).toBe("");
    await watcher.stop();

    const files = await readdir(out);
    for (const name of ["180p", "360p"]) {
      const playlist = await Bun.file(join(out, `${name}.m3u8`)).text();
      expect(playlist).toContain("#EXT-X-TARGETDURATION:1\n");
      expect(playlist).toContain("#EXT-X-PROGRAM-DATE-TIME:");
      expect(parseMediaPlaylist(playlist).segments.length).toBe(6);
      // keepAllSegments: every segment of the live is still there for the replay.
      expect((await keptSegments(out, name)).length).toBeOneOf([SECONDS, SECONDS + 1]);
    }
    expect(files.some((f) => f.endsWith(".tmp"))).toBe(false);

    const middle = await probe(join(out, "360p-00003.ts"));
    expect(middle.streams.map((s) => `${s.codec_type}:${s.codec_name}`).sort()).toEqual(["audio:aac", "video:h264"]);
    expect(middle.streams.find((s) => s.codec_type === "video")).toMatchObject({ width: 640, height: 360 });
    expect(Math.abs(Number(middle.format.duration) - 1)).toBeLessThan(0.1);
    expect((await probe(join(out, "180p-00003.ts"))).streams.find((s) => s.codec_type === "video")).toMatchObject({ width: 320, height: 180 });

    // The map lists every segment still in a playlist (and those just behind), each with its file's SHA-256.
    const map = JSON.parse(await Bun.file(join(out, "segments-sha256.json")).text()) as Record<string, string>;
    expect(map).toEqual(watcher.current());
    for (const name of ["180p", "360p"]) {
      for (const s of parseMediaPlaylist(await Bun.file(join(out, `${name}.m3u8`)).text()).segments) expect(map[s.uri]).toBeDefined();
    }
    for (const [name, hash] of Object.entries(map)) expect(hash).toBe(sha256Hex(await Bun.file(join(out, name)).bytes()));

    // Replay: every kept segment of the top rendition, remuxed without re-encoding.
    const playlist = join(out, replayPlaylistName("360p"));
    expect(isReplayPlaylist(replayPlaylistName("360p"))).toBe(true);
    await Bun.write(playlist, replayPlaylist(await keptSegments(out, "360p"), 1));
    const mp4 = file("replay.mp4");
    await tool("ffmpeg", replayRemuxArgs({ playlist, output: mp4 }));
    const replay = await probe(mp4);
    expect(replay.streams.map((s) => `${s.codec_type}:${s.codec_name}`).sort()).toEqual(["audio:aac", "video:h264"]);
    expect(Math.abs(Number(replay.format.duration) - SECONDS)).toBeLessThan(1);
  });

  test("normal latency: 4 s segments; without keepAllSegments old segments are deleted beyond the window", async () => {
    const out = file("normal");
    const source = { ...SOURCE, width: 320, height: 180 };
    const result = await transcode(
      file("long.flv"),
      { latency: "normal", renditions: liveRenditionsFor(source, [180]), passthrough: false, source, keepAllSegments: false, listSize: 2, preset: "ultrafast" },
      out,
    );
    expect(result).toEqual({ code: 0, stderr: "" });
    const playlist = await Bun.file(join(out, "180p.m3u8")).text();
    expect(playlist).toContain("#EXT-X-TARGETDURATION:4\n");
    // 13 s: three 4 s segments and a 1 s one; a window of 2.
    expect(parseMediaPlaylist(playlist).segments.map((s) => s.uri)).toEqual(["180p-00002.ts", "180p-00003.ts"]);
    // ffmpeg keeps one segment past the window on disk (its default delete threshold): segment 0 is gone.
    expect(await keptSegments(out, "180p")).toEqual(["180p-00001.ts", "180p-00002.ts", "180p-00003.ts"]);
    expect(Math.abs((await segmentDuration(join(out, "180p-00001.ts"))) - 4)).toBeLessThan(0.1);
  });

  test("passthrough: one 'source' rendition, stream copied, cut on the publisher's 1 s keyframes", async () => {
    const out = file("copy");
    const result = await transcode(file("av.flv"), { latency: "low", renditions: liveRenditionsFor(SOURCE, [360]), passthrough: true, source: SOURCE, keepAllSegments: true }, out);
    expect(result).toEqual({ code: 0, stderr: "" });
    const master = await Bun.file(join(out, "master.m3u8")).text();
    expect(master).toContain("\nsource.m3u8");
    expect(master).toContain("BANDWIDTH=");
    expect((await readdir(out)).filter((f) => f.endsWith(".m3u8")).sort()).toEqual(["master.m3u8", "source.m3u8"]);
    const segment = await probe(join(out, "source-00002.ts"));
    expect(segment.streams.map((s) => `${s.codec_type}:${s.codec_name}`).sort()).toEqual(["audio:aac", "video:h264"]);
    expect(Math.abs(Number(segment.format.duration) - 1)).toBeLessThan(0.1);
    expect(await keptSegments(out, "source")).toHaveLength(SECONDS);
  });

  test("audio-only and video-only sources", async () => {
    const audioSource: StreamInfo = { hasVideo: false, hasAudio: true, audioCodecId: 10 };
    const videoSource: StreamInfo = { hasVideo: true, hasAudio: false, width: 320, height: 180, videoCodecId: 7 };
    const [audio, video] = await Promise.all([
      transcode(file("audio.flv"), { latency: "low", renditions: liveRenditionsFor(audioSource, [360]), passthrough: false, source: audioSource, keepAllSegments: true }, file("a")),
      transcode(file("video.flv"), { latency: "low", renditions: liveRenditionsFor(videoSource, [180]), passthrough: false, source: videoSource, keepAllSegments: true }, file("v")),
    ]);
    expect(audio).toEqual({ code: 0, stderr: "" });
    expect(video).toEqual({ code: 0, stderr: "" });
    expect(await Bun.file(file("a", "master.m3u8")).text()).toContain("audio.m3u8");
    expect(await Bun.file(file("v", "master.m3u8")).text()).toContain("180p.m3u8");
    expect((await probe(file("a", "audio-00001.ts"))).streams.map((s) => s.codec_type)).toEqual(["audio"]);
    expect((await probe(file("v", "180p-00001.ts"))).streams.map((s) => s.codec_type)).toEqual(["video"]);
  });
});

describe("startLiveTranscoder process handling", () => {
  test("ffmpeg refusing the input: onExit reports why, later writes reject with a clear error", async () => {
    const out = file("bad");
    const exits: [number, string][] = [];
    const transcoder = await startLiveTranscoder({
      args: liveHlsArgs({ outputDir: out, latency: "low", renditions: liveRenditionsFor(SOURCE, [360]), passthrough: false, source: SOURCE, keepAllSegments: false }),
      outputDir: out,
      onExit: (code, tail) => exits.push([code, tail]),
    });
    await transcoder.write(new TextEncoder().encode("this is not an FLV stream")).catch(() => {});
    await transcoder.end().catch(() => {});
    const code = await transcoder.exited;
    expect(code).not.toBe(0);
    expect(exits).toHaveLength(1);
    expect(exits[0]![1].length).toBeGreaterThan(0);
    expect(exits[0]![1].length).toBeLessThanOrEqual(4096);
    await expect(transcoder.write(new Uint8Array(10))).rejects.toBeInstanceOf(LiveTranscoderClosedError);
  });

  test("writes while ffmpeg dies under them reject instead of throwing unhandled; kill() ends it at once", async () => {
    const transcoder = await startLiveTranscoder({ args: ["-hide_banner", "-loglevel", "error", "-f", "flv", "-i", "pipe:0", "-f", "null", "-"], outputDir: file("killed") });
    const flv = await Bun.file(file("av.flv")).bytes();
    await transcoder.write(flv.subarray(0, 65_536));
    transcoder.kill();
    expect(await transcoder.exited).toBe(137);
    await expect(feed(transcoder, flv)).rejects.toBeInstanceOf(LiveTranscoderClosedError);
    expect(await transcoder.end()).toBe(137);
  });

  test("end() kills a process that neither reads its stdin nor exits, and the write stuck on it rejects", async () => {
    const transcoder = await startLiveTranscoder({ ffmpegPath: "sleep", args: ["30"], outputDir: file("sleep"), endTimeoutMs: 200 });
    // More than a pipe buffer: this write waits for a reader that never comes.
    const stuck = transcoder.write(new Uint8Array(4 << 20));
    const started = Date.now();
    expect(await transcoder.end()).toBe(137);
    expect(Date.now() - started).toBeLessThan(5_000);
    await expect(stuck).rejects.toBeInstanceOf(LiveTranscoderClosedError);
  });
});

describe("test card", () => {
  test("its arguments make a 1280x720 H.264 + AAC FLV (written to a file instead of RTMP)", async () => {
    const args = testcardArgs({ url: "rtmp://127.0.0.1:1/live", key: "unused", durationSeconds: 2 });
    const output = file("card.flv");
    await tool("ffmpeg", [...args.slice(0, -1), output]);
    const card = await probe(output);
    expect(card.streams.map((s) => `${s.codec_type}:${s.codec_name}`).sort()).toEqual(["audio:aac", "video:h264"]);
    expect(card.streams.find((s) => s.codec_type === "video")).toMatchObject({ width: 1280, height: 720 });
    expect(Math.abs(Number(card.format.duration) - 2)).toBeLessThan(0.3);
  });

  test("runTestcard stops cleanly when its signal aborts (the URL may be any ffmpeg output)", async () => {
    const controller = new AbortController();
    const output = file("aborted.flv");
    let stderr = "";
    const running = runTestcard({ url: dir.path, key: "aborted.flv", signal: controller.signal, onStderr: (t) => { stderr += t; } });
    await waitFor("test card output", async () => (await Bun.file(output).exists()) && Bun.file(output).size > 10_000);
    controller.abort();
    // ffmpeg exits with 255 after SIGINT, having finished the file.
    expect(await running).toBe(255);
    expect(stderr).toBe("");
    const card = await probe(output);
    expect(card.streams.map((s) => s.codec_type).sort()).toEqual(["audio", "video"]);
  });
});
