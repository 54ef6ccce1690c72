import { describe, expect, test } from "bun:test";
import { downloadMp4Args, fitWithin, hlsLadderArgs, imageArgs } from "../../../src/transcoding/args.ts";
import { DEFAULT_LADDER, chooseRenditions } from "../../../src/transcoding/ladder.ts";
import { AUDIO_ONLY_PROBE, videoProbe } from "./fixtures.ts";

const HEAD = ["-hide_banner", "-loglevel", "error", "-nostdin", "-progress", "pipe:1", "-nostats", "-y"];
const AUDIO = ["-c:a", "aac", "-b:a", "128k", "-ac", "2", "-ar", "48000"];

function hlsTail(streamMap: string, initName: string, segmentSeconds = "4"): string[] {
  return [
    "-f", "hls",
    "-hls_time", segmentSeconds,
    "-hls_playlist_type", "vod",
    "-hls_segment_type", "fmp4",
    "-hls_flags", "independent_segments",
    "-hls_fmp4_init_filename", initName,
    "-hls_segment_filename", "/work/hls/%v-%04d.m4s",
    "-master_pl_name", "master.m3u8",
    "-var_stream_map", streamMap,
    "/work/hls/%v.m3u8",
  ];
}

describe("hlsLadderArgs", () => {
  test("1080p30 with audio, default ladder: one decode, six scaled branches, audio in each variant", () => {
    const probe = videoProbe({ width: 1920, height: 1080, fps: 30 });
    const args = hlsLadderArgs({ input: "/up/in.mp4", hlsDir: "/work/hls", probe, renditions: chooseRenditions(probe), config: DEFAULT_LADDER });
    expect(args).toEqual([
      ...HEAD,
      "-protocol_whitelist", "file",
      "-i", "/up/in.mp4",
      "-filter_complex",
      "[0:0]split=6[s0][s1][s2][s3][s4][s5];" +
        "[s0]scale=256:144,setsar=1[v0];[s1]scale=426:240,setsar=1[v1];[s2]scale=640:360,setsar=1[v2];" +
        "[s3]scale=854:480,setsar=1[v3];[s4]scale=1280:720,setsar=1[v4];[s5]scale=1920:1080,setsar=1[v5]",
      "-map", "[v0]", "-map", "[v1]", "-map", "[v2]", "-map", "[v3]", "-map", "[v4]", "-map", "[v5]",
      "-c:v", "libx264",
      "-preset", "veryfast",
      "-crf", "23",
      "-pix_fmt", "yuv420p",
      "-g", "120",
      "-keyint_min", "120",
      "-sc_threshold", "0",
      "-force_key_frames", "expr:gte(t,n_forced*4)",
      "-maxrate:v:0", "100k", "-bufsize:v:0", "200k",
      "-maxrate:v:1", "250k", "-bufsize:v:1", "500k",
      "-maxrate:v:2", "500k", "-bufsize:v:2", "1000k",
      "-maxrate:v:3", "900k", "-bufsize:v:3", "1800k",
      "-maxrate:v:4", "1800k", "-bufsize:v:4", "3600k",
      "-maxrate:v:5", "3300k", "-bufsize:v:5", "6600k",
      "-map", "0:1", "-map", "0:1", "-map", "0:1", "-map", "0:1", "-map", "0:1", "-map", "0:1",
      "-map_metadata", "-1", "-map_chapters", "-1",
      ...AUDIO,
      ...hlsTail(
        "v:0,a:0,name:144p v:1,a:1,name:240p v:2,a:2,name:360p v:3,a:3,name:480p v:4,a:4,name:720p v:5,a:5,name:1080p",
        "%v-init.mp4",
      ),
    ]);
  });

  test("720p25 without audio, custom ladder with 6 s segments and a slower preset", () => {
    const probe = videoProbe({ width: 1280, height: 720, fps: 25, audioIndex: null });
    const config = { ...DEFAULT_LADDER, resolutions: [360, 720, 1080], segmentSeconds: 6, preset: "medium", crf: 21 };
    const args = hlsLadderArgs({ input: "in.mkv", hlsDir: "/work/hls", probe, renditions: chooseRenditions(probe, config), config });
    expect(args).toEqual([
      ...HEAD,
      "-protocol_whitelist", "file",
      "-i", "in.mkv",
      "-filter_complex", "[0:0]split=2[s0][s1];[s0]scale=640:360,setsar=1[v0];[s1]scale=1280:720,setsar=1[v1]",
      "-map", "[v0]", "-map", "[v1]",
      "-c:v", "libx264",
      "-preset", "medium",
      "-crf", "21",
      "-pix_fmt", "yuv420p",
      "-g", "150",
      "-keyint_min", "150",
      "-sc_threshold", "0",
      "-force_key_frames", "expr:gte(t,n_forced*6)",
      "-maxrate:v:0", "440k", "-bufsize:v:0", "880k",
      "-maxrate:v:1", "1590k", "-bufsize:v:1", "3180k",
      "-map_metadata", "-1", "-map_chapters", "-1",
      ...hlsTail("v:0,name:360p v:1,name:720p", "%v-init.mp4", "6"),
    ]);
  });

  test("audio-only: one AAC variant, literal init segment name (ffmpeg expands %v only with several variants)", () => {
    const args = hlsLadderArgs({ input: "song.mp3", hlsDir: "/work/hls", probe: AUDIO_ONLY_PROBE, renditions: [], config: DEFAULT_LADDER });
    expect(args).toEqual([
      ...HEAD,
      "-protocol_whitelist", "file",
      "-i", "song.mp3",
      "-map", "0:0",
      "-map_metadata", "-1", "-map_chapters", "-1",
      ...AUDIO,
      ...hlsTail("a:0,name:audio", "audio-init.mp4"),
    ]);
  });

  test("portrait 60 fps phone video capped to 30 fps, video stream after the audio stream", () => {
    const probe = videoProbe({ width: 1080, height: 1920, fps: 60, videoIndex: 1, audioIndex: 0 });
    const config = { ...DEFAULT_LADDER, resolutions: [240, 480], maxFps: 30 };
    const args = hlsLadderArgs({ input: "phone.mov", hlsDir: "/work/hls", probe, renditions: chooseRenditions(probe, config), config });
    expect(args).toEqual([
      ...HEAD,
      "-protocol_whitelist", "file",
      "-i", "phone.mov",
      "-filter_complex", "[0:1]fps=30,split=2[s0][s1];[s0]scale=240:426,setsar=1[v0];[s1]scale=480:854,setsar=1[v1]",
      "-map", "[v0]", "-map", "[v1]",
      "-c:v", "libx264",
      "-preset", "veryfast",
      "-crf", "23",
      "-pix_fmt", "yuv420p",
      "-g", "120",
      "-keyint_min", "120",
      "-sc_threshold", "0",
      "-force_key_frames", "expr:gte(t,n_forced*4)",
      "-maxrate:v:0", "250k", "-bufsize:v:0", "500k",
      "-maxrate:v:1", "900k", "-bufsize:v:1", "1800k",
      "-map", "0:0", "-map", "0:0",
      "-map_metadata", "-1", "-map_chapters", "-1",
      ...AUDIO,
      ...hlsTail("v:0,a:0,name:240p v:1,a:1,name:480p", "%v-init.mp4"),
    ]);
  });

  test("a single video rendition also gets a literal init segment name", () => {
    const probe = videoProbe({ width: 320, height: 180, fps: 30 });
    const config = { ...DEFAULT_LADDER, resolutions: [180] };
    const args = hlsLadderArgs({ input: "tiny.mp4", hlsDir: "/work/hls", probe, renditions: chooseRenditions(probe, config), config });
    expect(args.slice(args.indexOf("-hls_fmp4_init_filename"), args.indexOf("-hls_fmp4_init_filename") + 2)).toEqual([
      "-hls_fmp4_init_filename", "180p-init.mp4",
    ]);
    expect(args[args.indexOf("-var_stream_map") + 1]).toBe("v:0,a:0,name:180p");
  });

  test("refuses a source without streams", () => {
    const probe = { ...AUDIO_ONLY_PROBE, audio: null };
    expect(() => hlsLadderArgs({ input: "x", hlsDir: "/w", probe, renditions: [], config: DEFAULT_LADDER })).toThrow();
  });
});

describe("images and download", () => {
  test("thumbnail and preview from one seek at 10% of the duration", () => {
    const probe = videoProbe({ width: 1920, height: 1080, fps: 30, durationSeconds: 120 });
    expect(imageArgs({ input: "in.mp4", probe, thumbnailPath: "/w/thumbnail.jpg", previewPath: "/w/preview.jpg" })).toEqual([
      ...HEAD,
      "-ss", "12.000",
      "-protocol_whitelist", "file",
      "-i", "in.mp4",
      "-filter_complex",
      "[0:0]split=2[a][b];[a]scale=280:158:force_original_aspect_ratio=increase,crop=280:158,setsar=1[thumb];" +
        "[b]scale=850:478,setsar=1[preview]",
      "-map_metadata", "-1",
      "-map", "[thumb]", "-frames:v", "1", "-q:v", "3", "-pix_fmt", "yuvj420p", "/w/thumbnail.jpg",
      "-map", "[preview]", "-frames:v", "1", "-q:v", "3", "-pix_fmt", "yuvj420p", "/w/preview.jpg",
    ]);
  });

  test("preview fits the box, keeps even sizes and never upscales", () => {
    expect(fitWithin(1080, 1920, 850, 480)).toEqual({ width: 270, height: 480 });
    expect(fitWithin(320, 240, 850, 480)).toEqual({ width: 320, height: 240 });
    expect(fitWithin(1440, 1080, 850, 480)).toEqual({ width: 640, height: 480 });
  });

  test("download MP4 is a remux with the index moved to the front", () => {
    expect(downloadMp4Args("/w/hls/720p.m3u8", "/w/download.mp4")).toEqual([
      ...HEAD,
      "-protocol_whitelist", "file",
      "-i", "/w/hls/720p.m3u8",
      "-map", "0",
      "-c", "copy",
      "-map_metadata", "-1",
      "-movflags", "+faststart",
      "/w/download.mp4",
    ]);
  });
});
