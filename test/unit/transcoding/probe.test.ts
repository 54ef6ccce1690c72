import { describe, expect, test } from "bun:test";
import {
  ProbeError,
  ffprobeArgs,
  looksLikeIsoBmff,
  parseRatio,
  summarizeProbe,
  tailDecodeArgs,
  tailLooksTruncated,
} from "../../../src/transcoding/probe.ts";

// Trimmed ffprobe 5.1 output (`-print_format json -show_streams -show_format`).
function ffprobeJson(overrides: { streams?: unknown[]; format?: Record<string, unknown> } = {}) {
  return {
    streams: overrides.streams ?? [
      { index: 0, codec_name: "h264", codec_type: "video", width: 1920, height: 1080, sample_aspect_ratio: "1:1", pix_fmt: "yuv420p", r_frame_rate: "30/1", avg_frame_rate: "30/1", disposition: { attached_pic: 0 } },
      { index: 1, codec_name: "aac", codec_type: "audio", sample_rate: "48000", channels: 2, disposition: { attached_pic: 0 } },
    ],
    format: { format_name: "mov,mp4,m4a,3gp,3g2,mj2", duration: "12.500000", size: "1048576", ...overrides.format },
  };
}

function probeError(run: () => unknown): ProbeError {
  try {
    run();
  } catch (error) {
    if (error instanceof ProbeError) return error;
    throw error;
  }
  throw new Error("expected a ProbeError");
}

describe("summarizeProbe", () => {
  test("a 1080p30 mp4 with audio", () => {
    expect(summarizeProbe(ffprobeJson())).toEqual({
      durationSeconds: 12.5,
      formatName: "mov,mp4,m4a,3gp,3g2,mj2",
      sizeBytes: 1048576,
      video: { index: 0, codec: "h264", width: 1920, height: 1080, fps: 30, rotation: 0, pixelFormat: "yuv420p" },
      audio: { index: 1, codec: "aac", channels: 2, sampleRate: 48000 },
    });
  });

  test("a phone video rotated by 90 degrees is portrait", () => {
    const streams = [{ index: 0, codec_type: "video", codec_name: "h264", width: 1920, height: 1080, avg_frame_rate: "30000/1001", side_data_list: [{ side_data_type: "Display Matrix", rotation: -90 }] }];
    const video = summarizeProbe(ffprobeJson({ streams })).video!;
    expect([video.width, video.height, video.rotation]).toEqual([1080, 1920, -90]);
    expect(video.fps).toBeCloseTo(29.97, 2);
  });

  test("anamorphic pixels are widened to the display size", () => {
    const streams = [{ index: 0, codec_type: "video", codec_name: "mpeg2video", width: 720, height: 576, sample_aspect_ratio: "64:45", avg_frame_rate: "25/1" }];
    expect(summarizeProbe(ffprobeJson({ streams })).video).toMatchObject({ width: 1024, height: 576 });
  });

  test("cover art in an mp3 is not a video stream", () => {
    const streams = [
      { index: 0, codec_type: "audio", codec_name: "mp3", channels: 2, sample_rate: "44100" },
      { index: 1, codec_type: "video", codec_name: "mjpeg", width: 500, height: 500, disposition: { attached_pic: 1 } },
    ];
    const probe = summarizeProbe(ffprobeJson({ streams, format: { format_name: "mp3" } }));
    expect(probe.video).toBeNull();
    expect(probe.audio?.index).toBe(0);
  });

  test("Matroska without a container duration uses the longest stream", () => {
    const json = ffprobeJson({ format: { format_name: "matroska,webm", duration: undefined } });
    json.streams = [{ index: 0, codec_type: "audio", codec_name: "opus", duration: "7.25" }, { index: 1, codec_type: "audio", codec_name: "opus", duration: "3" }];
    expect(summarizeProbe(json).durationSeconds).toBe(7.25);
  });

  test("rejects formats outside the allowlist (playlists and image sequences read other files)", () => {
    for (const format_name of ["hls", "concat", "image2", "tty", "png_pipe", ""]) {
      expect(probeError(() => summarizeProbe(ffprobeJson({ format: { format_name } }))).code).toBe("not-media");
    }
    expect(probeError(() => summarizeProbe("garbage")).code).toBe("not-media");
  });

  test("rejects a file without video and audio", () => {
    const error = probeError(() => summarizeProbe(ffprobeJson({ streams: [{ index: 0, codec_type: "subtitle", codec_name: "subrip" }] })));
    expect(error.code).toBe("no-streams");
    expect(error.message).toBe("This file contains neither video nor audio.");
  });

  test("rejects zero and missing durations", () => {
    expect(probeError(() => summarizeProbe(ffprobeJson({ format: { duration: "0.000000" } }))).code).toBe("zero-duration");
    expect(probeError(() => summarizeProbe(ffprobeJson({ format: { duration: "N/A" } }))).code).toBe("zero-duration");
  });

  test("rejects files over the maximum duration with both lengths in the message", () => {
    const error = probeError(() => summarizeProbe(ffprobeJson({ format: { duration: "3725" } }), { maxDurationSeconds: 3600 }));
    expect(error.code).toBe("too-long");
    expect(error.message).toBe("This file lasts 1:02:05; the limit is 1:00:00.");
    expect(summarizeProbe(ffprobeJson({ format: { duration: "3600" } }), { maxDurationSeconds: 3600 }).durationSeconds).toBe(3600);
  });
});

describe("helpers", () => {
  test("parseRatio", () => {
    expect(parseRatio("30/1", "/")).toBe(30);
    expect(parseRatio("0/0", "/")).toBeNull();
    expect(parseRatio("N/A", ":")).toBeNull();
    expect(parseRatio(undefined, "/")).toBeNull();
  });

  test("looksLikeIsoBmff", () => {
    expect(looksLikeIsoBmff(new Uint8Array([0, 0, 0, 0x20, 0x66, 0x74, 0x79, 0x70]))).toBe(true);
    expect(looksLikeIsoBmff(new TextEncoder().encode("hello world"))).toBe(false);
    expect(looksLikeIsoBmff(new Uint8Array())).toBe(false);
  });

  test("tail check tolerates small losses only", () => {
    expect(tailLooksTruncated(0, 4)).toBe(true);
    expect(tailLooksTruncated(1.9, 4)).toBe(true);
    expect(tailLooksTruncated(3.2, 4)).toBe(false);
  });

  test("exact ffprobe and tail-decode arguments", () => {
    expect(ffprobeArgs("/up/x.mp4")).toEqual([
      "-hide_banner", "-loglevel", "error", "-protocol_whitelist", "file",
      "-print_format", "json", "-show_streams", "-show_format", "/up/x.mp4",
    ]);
    expect(tailDecodeArgs("/up/x.mp4", 56)).toEqual([
      "-hide_banner", "-loglevel", "error", "-nostdin", "-progress", "pipe:1", "-nostats",
      "-ss", "56.000", "-protocol_whitelist", "file", "-i", "/up/x.mp4", "-f", "null", "-",
    ]);
  });
});
