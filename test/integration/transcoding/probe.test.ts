import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { ProbeError, probeMedia, type ProbeErrorCode } from "../../../src/transcoding/probe.ts";
import { makeClip, tempFolder, tool } from "./clips.ts";

let dir: { path: string; remove(): Promise<void> };
const file = (name: string) => join(dir.path, name);

beforeAll(async () => {
  dir = await tempFolder("tubelet-probe-");
  await Promise.all([
    makeClip(file("ok.mp4"), { width: 640, height: 360, seconds: 8 }),
    makeClip(file("fast.mp4"), { width: 640, height: 360, seconds: 8, extra: ["-movflags", "+faststart"] }),
    makeClip(file("ok.mkv"), { width: 640, height: 360, seconds: 8 }),
    makeClip(file("tone.m4a"), { video: false, seconds: 3 }),
  ]);
  for (const name of ["ok.mp4", "fast.mp4", "ok.mkv"]) {
    const bytes = new Uint8Array(await Bun.file(file(name)).arrayBuffer());
    await writeFile(file(`half-${name}`), bytes.subarray(0, Math.floor(bytes.length / 2)));
  }
  await writeFile(file("notes.mp4"), "These are my holiday notes, not a video.\n".repeat(50));
  await writeFile(file("empty.mp4"), "");
  await writeFile(file("subtitles.srt"), "1\n00:00:00,000 --> 00:00:02,000\nHello\n");
  await tool("ffmpeg", ["-nostdin", "-y", "-i", file("subtitles.srt"), file("subtitles-only.mkv")]);
}, 60_000);

afterAll(async () => {
  await dir.remove();
});

async function rejection(path: string, options = {}): Promise<ProbeError> {
  try {
    await probeMedia(path, options);
  } catch (error) {
    if (error instanceof ProbeError) return error;
    throw error;
  }
  throw new Error(`${path} was accepted`);
}

describe("probeMedia accepts", () => {
  test("a complete mp4 with video and audio", async () => {
    const probe = await probeMedia(file("ok.mp4"), { maxDurationSeconds: 60 });
    expect(probe.durationSeconds).toBeCloseTo(8, 0);
    expect(probe.video).toMatchObject({ codec: "h264", width: 640, height: 360, fps: 30 });
    expect(probe.audio).toMatchObject({ codec: "aac" });
  });

  test("faststart mp4, Matroska and audio-only files", async () => {
    expect((await probeMedia(file("fast.mp4"))).video?.width).toBe(640);
    expect((await probeMedia(file("ok.mkv"))).durationSeconds).toBeCloseTo(8, 0);
    const tone = await probeMedia(file("tone.m4a"));
    expect(tone.video).toBeNull();
    expect(tone.audio?.codec).toBe("aac");
  });
});

describe("probeMedia rejects, with a message for the uploader", () => {
  const cases: [string, ProbeErrorCode, RegExp][] = [
    ["notes.mp4", "not-media", /not a video or audio file/],
    ["empty.mp4", "not-media", /empty/],
    ["subtitles-only.mkv", "no-streams", /neither video nor audio/],
    ["half-ok.mp4", "truncated", /incomplete or damaged/],
    ["half-fast.mp4", "truncated", /incomplete or damaged/],
    ["half-ok.mkv", "truncated", /incomplete or damaged/],
  ];
  for (const [name, code, message] of cases) {
    test(`${name}: ${code}`, async () => {
      const error = await rejection(file(name));
      expect(error.code).toBe(code);
      expect(error.message).toMatch(message);
    });
  }

  test("a video over the maximum duration", async () => {
    const error = await rejection(file("ok.mp4"), { maxDurationSeconds: 5 });
    expect(error.code).toBe("too-long");
    expect(error.message).toBe("This file lasts 0:08; the limit is 0:05.");
  });
});
