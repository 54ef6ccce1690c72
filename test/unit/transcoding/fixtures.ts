/** Probe summaries of typical uploads, shared by the transcoding unit tests. */
import type { MediaProbe } from "../../../src/transcoding/probe.ts";

export function videoProbe(overrides: {
  width: number;
  height: number;
  fps: number | null;
  videoIndex?: number;
  audioIndex?: number | null;
  durationSeconds?: number;
}): MediaProbe {
  const audioIndex = overrides.audioIndex === undefined ? 1 : overrides.audioIndex;
  return {
    durationSeconds: overrides.durationSeconds ?? 60,
    formatName: "mov,mp4,m4a,3gp,3g2,mj2",
    sizeBytes: 1_000_000,
    video: {
      index: overrides.videoIndex ?? 0,
      codec: "h264",
      width: overrides.width,
      height: overrides.height,
      fps: overrides.fps,
      rotation: 0,
      pixelFormat: "yuv420p",
    },
    audio: audioIndex === null ? null : { index: audioIndex, codec: "aac", channels: 2, sampleRate: 48000 },
  };
}

export const AUDIO_ONLY_PROBE: MediaProbe = {
  durationSeconds: 180,
  formatName: "mp3",
  sizeBytes: 3_000_000,
  video: null,
  audio: { index: 0, codec: "mp3", channels: 2, sampleRate: 44100 },
};
