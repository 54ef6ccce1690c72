import { describe, expect, test } from "bun:test";
import {
  LIVE_SEGMENT_SECONDS,
  canPassThrough,
  liveHlsArgs,
  liveRenditionsFor,
  type LiveHlsOptions,
  type StreamInfo,
} from "../../../src/live/transcode-args.ts";

const HD: StreamInfo = { hasVideo: true, hasAudio: true, width: 1920, height: 1080, frameRate: 30, videoCodecId: 7, audioCodecId: 10 };
const INPUT = [
  "-hide_banner", "-loglevel", "error", "-nostdin", "-y",
  "-probesize", "2000000", "-analyzeduration", "1000000",
  "-protocol_whitelist", "pipe",
  "-f", "flv", "-i", "pipe:0",
];
const TWO_RUNGS = [
  { name: "360p", height: 360, videoKbps: 500, audioKbps: 96 },
  { name: "720p", height: 720, videoKbps: 1800, audioKbps: 128 },
];

function muxer(seconds: string, listSize: string, flags: string, streamMap: string): string[] {
  return [
    "-f", "hls",
    "-hls_time", seconds,
    "-hls_list_size", listSize,
    "-hls_segment_type", "mpegts",
    "-hls_flags", flags,
    "-hls_segment_filename", "/data/live/u/s/%v-%05d.ts",
    "-master_pl_name", "master.m3u8",
    "-var_stream_map", streamMap,
    "/data/live/u/s/%v.m3u8",
  ];
}

function options(overrides: Partial<LiveHlsOptions> = {}): LiveHlsOptions {
  return { outputDir: "/data/live/u/s", latency: "normal", renditions: TWO_RUNGS, passthrough: false, source: HD, keepAllSegments: false, ...overrides };
}

const TWO_RUNG_VIDEO = [
  "-filter_complex", "[0:v:0]split=2[s0][s1];[s0]scale=-2:360,setsar=1[v0];[s1]scale=-2:720,setsar=1[v1]",
  "-map", "[v0]", "-map", "[v1]",
];
function twoRungCodecs(seconds: string, preset = "veryfast"): string[] {
  return [
    "-c:v", "libx264", "-preset", preset, "-tune", "zerolatency", "-pix_fmt", "yuv420p",
    "-sc_threshold", "0", "-force_key_frames", `expr:gte(t,n_forced*${seconds})`,
    "-b:v:0", "500k", "-maxrate:v:0", "500k", "-bufsize:v:0", "1000k",
    "-b:v:1", "1800k", "-maxrate:v:1", "1800k", "-bufsize:v:1", "3600k",
  ];
}
const TWO_RUNG_AUDIO = ["-c:a", "aac", "-ac", "2", "-ar", "48000", "-b:a:0", "96k", "-b:a:1", "128k"];

describe("liveHlsArgs", () => {
  test("normal latency, two rungs: one decode split in two, audio in each variant, 4 s segments, old ones deleted", () => {
    expect(liveHlsArgs(options())).toEqual([
      ...INPUT,
      ...TWO_RUNG_VIDEO,
      "-map", "0:a:0", "-map", "0:a:0",
      ...twoRungCodecs("4"),
      ...TWO_RUNG_AUDIO,
      ...muxer("4", "5", "independent_segments+program_date_time+temp_file+delete_segments", "v:0,a:0,name:360p v:1,a:1,name:720p"),
    ]);
  });

  test("low latency: 1 s segments and keyframes, a 6-segment window, custom preset and list size", () => {
    expect(liveHlsArgs(options({ latency: "low" }))).toEqual([
      ...INPUT,
      ...TWO_RUNG_VIDEO,
      "-map", "0:a:0", "-map", "0:a:0",
      ...twoRungCodecs("1"),
      ...TWO_RUNG_AUDIO,
      ...muxer("1", "6", "independent_segments+program_date_time+temp_file+delete_segments", "v:0,a:0,name:360p v:1,a:1,name:720p"),
    ]);
    const custom = liveHlsArgs(options({ latency: "low", preset: "ultrafast", listSize: 10 }));
    expect(custom.slice(custom.indexOf("-c:v"), custom.indexOf("-c:v") + 4)).toEqual(["-c:v", "libx264", "-preset", "ultrafast"]);
    expect(custom[custom.indexOf("-hls_list_size") + 1]).toBe("10");
  });

  test("keepAllSegments (replay saved): no delete_segments", () => {
    const args = liveHlsArgs(options({ keepAllSegments: true }));
    expect(args).toEqual([
      ...INPUT,
      ...TWO_RUNG_VIDEO,
      "-map", "0:a:0", "-map", "0:a:0",
      ...twoRungCodecs("4"),
      ...TWO_RUNG_AUDIO,
      ...muxer("4", "5", "independent_segments+program_date_time+temp_file", "v:0,a:0,name:360p v:1,a:1,name:720p"),
    ]);
  });

  test("passthrough: stream copy into one 'source' variant with declared bitrates of the largest rung", () => {
    expect(liveHlsArgs(options({ passthrough: true, latency: "low" }))).toEqual([
      ...INPUT,
      "-map", "0:v:0", "-map", "0:a:0",
      "-c", "copy",
      "-b:v:0", "1800k", "-b:a:0", "128k",
      ...muxer("1", "6", "independent_segments+program_date_time+temp_file+delete_segments", "v:0,a:0,name:source"),
    ]);
  });

  test("audio-only source: one audio variant, no video map", () => {
    const source: StreamInfo = { hasVideo: false, hasAudio: true, audioCodecId: 10 };
    expect(liveHlsArgs(options({ source, renditions: liveRenditionsFor(source, [360, 720]) }))).toEqual([
      ...INPUT,
      "-map", "0:a:0",
      "-c:a", "aac", "-ac", "2", "-ar", "48000", "-b:a:0", "128k",
      ...muxer("4", "5", "independent_segments+program_date_time+temp_file+delete_segments", "a:0,name:audio"),
    ]);
  });

  test("video-only source: no audio map, no audio codec", () => {
    const source: StreamInfo = { hasVideo: true, hasAudio: false, width: 1280, height: 720, videoCodecId: 7 };
    expect(liveHlsArgs(options({ source }))).toEqual([
      ...INPUT,
      ...TWO_RUNG_VIDEO,
      ...twoRungCodecs("4"),
      ...muxer("4", "5", "independent_segments+program_date_time+temp_file+delete_segments", "v:0,name:360p v:1,name:720p"),
    ]);
  });

  test("video-only passthrough copies video only", () => {
    const source: StreamInfo = { hasVideo: true, hasAudio: false, videoCodecId: 7 };
    const args = liveHlsArgs(options({ source, passthrough: true }));
    expect(args.slice(INPUT.length, args.indexOf("-f", INPUT.length))).toEqual(["-map", "0:v:0", "-c", "copy", "-b:v:0", "1800k"]);
    expect(args[args.indexOf("-var_stream_map") + 1]).toBe("v:0,name:source");
  });

  test("refuses what ffmpeg would reject later, or what would break the stream map", () => {
    expect(() => liveHlsArgs(options({ passthrough: true, source: { ...HD, videoCodecId: 12 } }))).toThrow(/passthrough/);
    expect(() => liveHlsArgs(options({ source: { hasVideo: false, hasAudio: false } }))).toThrow(/neither/);
    expect(() => liveHlsArgs(options({ renditions: [] }))).toThrow(/no renditions/);
    expect(() => liveHlsArgs(options({ renditions: [{ ...TWO_RUNGS[0]!, name: "a b" }] }))).toThrow(/invalid rendition name/);
    expect(() => liveHlsArgs(options({ renditions: [TWO_RUNGS[0]!, TWO_RUNGS[0]!] }))).toThrow(/duplicate/);
  });
});

describe("LIVE_SEGMENT_SECONDS", () => {
  test("low 1 s, normal 4 s", () => {
    expect(LIVE_SEGMENT_SECONDS).toEqual({ low: 1, normal: 4 });
  });
});

describe("canPassThrough", () => {
  test.each([
    [{ hasVideo: true, hasAudio: true, videoCodecId: 7, audioCodecId: 10 }, true],
    [{ hasVideo: true, hasAudio: false, videoCodecId: 7 }, true],
    [{ hasVideo: false, hasAudio: true, audioCodecId: 10 }, true],
    [{ hasVideo: true, hasAudio: true, videoCodecId: 7, audioCodecId: 2 }, false], // MP3
    [{ hasVideo: true, hasAudio: true, videoCodecId: 12, audioCodecId: 10 }, false], // HEVC (enhanced RTMP)
    [{ hasVideo: true, hasAudio: true }, false], // codecs unknown
    [{ hasVideo: false, hasAudio: false }, false],
  ] as [StreamInfo, boolean][])("%o -> %p", (info, expected) => {
    expect(canPassThrough(info)).toBe(expected);
  });
});

describe("liveRenditionsFor", () => {
  const allowed = [360, 720, 1080];

  test("1080p source gets every allowed rung, VOD ladder bitrates, audio by height", () => {
    expect(liveRenditionsFor(HD, allowed)).toEqual([
      { name: "360p", height: 360, videoKbps: 500, audioKbps: 96 },
      { name: "720p", height: 720, videoKbps: 1800, audioKbps: 128 },
      { name: "1080p", height: 1080, videoKbps: 3300, audioKbps: 128 },
    ]);
  });

  test("480p source: rungs above it are left out (no upscale); order of allowed does not matter", () => {
    expect(liveRenditionsFor({ ...HD, width: 854, height: 480 }, [1080, 720, 360, 360])).toEqual([
      { name: "360p", height: 360, videoKbps: 500, audioKbps: 96 },
    ]);
  });

  test("a 100-pixel source smaller than every rung gets one rendition at its own height", () => {
    expect(liveRenditionsFor({ ...HD, width: 178, height: 100 }, allowed)).toEqual([
      { name: "100p", height: 100, videoKbps: 50, audioKbps: 64 },
    ]);
    expect(liveRenditionsFor({ ...HD, width: 180, height: 101 }, allowed)[0]!.height).toBe(100);
  });

  test("unknown size: 720p and 16:9 assumed", () => {
    expect(liveRenditionsFor({ hasVideo: true, hasAudio: true }, allowed)).toEqual([
      { name: "360p", height: 360, videoKbps: 500, audioKbps: 96 },
      { name: "720p", height: 720, videoKbps: 1800, audioKbps: 128 },
    ]);
  });

  test("60 fps costs more bits; a 4:3 picture fewer", () => {
    expect(liveRenditionsFor({ ...HD, frameRate: 60 }, [720])[0]!.videoKbps).toBe(2520);
    expect(liveRenditionsFor({ ...HD, width: 960, height: 720 }, [720])[0]!.videoKbps).toBe(1350);
  });

  test("audio-only source: one 'audio' rendition", () => {
    expect(liveRenditionsFor({ hasVideo: false, hasAudio: true }, allowed)).toEqual([{ name: "audio", height: 0, videoKbps: 0, audioKbps: 128 }]);
  });
});
