import { describe, expect, test } from "bun:test";
import {
  DEFAULT_LADDER,
  chooseRenditions,
  gopFrames,
  outputFps,
  rungBitrateKbps,
  scaledSize,
} from "../../../src/transcoding/ladder.ts";
import { AUDIO_ONLY_PROBE, videoProbe } from "./fixtures.ts";

const sizes = (renditions: { name: string; width: number; height: number }[]) =>
  renditions.map((r) => `${r.name}:${r.width}x${r.height}`);

describe("chooseRenditions", () => {
  test("a 1080p source gets every rung up to 1080p, none above", () => {
    const renditions = chooseRenditions(videoProbe({ width: 1920, height: 1080, fps: 30 }));
    expect(sizes(renditions)).toEqual([
      "144p:256x144", "240p:426x240", "360p:640x360", "480p:854x480", "720p:1280x720", "1080p:1920x1080",
    ]);
    expect(renditions.map((r) => r.maxrateKbps)).toEqual([100, 250, 500, 900, 1800, 3300]);
    expect(renditions.every((r) => r.bufsizeKbps === r.maxrateKbps * 2)).toBe(true);
  });

  test("a source between rungs stops at the rung below it", () => {
    expect(sizes(chooseRenditions(videoProbe({ width: 1600, height: 900, fps: 30 })))).toEqual([
      "144p:256x144", "240p:426x240", "360p:640x360", "480p:854x480", "720p:1280x720",
    ]);
  });

  test("keepSourceResolution adds the source's own size between rungs", () => {
    const config = { ...DEFAULT_LADDER, resolutions: [360, 720, 1080], keepSourceResolution: true };
    expect(sizes(chooseRenditions(videoProbe({ width: 1600, height: 900, fps: 30 }), config))).toEqual([
      "360p:640x360", "720p:1280x720", "900p:1600x900",
    ]);
  });

  test("portrait video: the rung applies to the shorter side (width)", () => {
    const config = { ...DEFAULT_LADDER, resolutions: [240, 480, 720, 1080] };
    expect(sizes(chooseRenditions(videoProbe({ width: 1080, height: 1920, fps: 30 }), config))).toEqual([
      "240p:240x426", "480p:480x854", "720p:720x1280", "1080p:1080x1920",
    ]);
  });

  test("4:3 video keeps its aspect ratio and gets a lower cap for its smaller area", () => {
    const renditions = chooseRenditions(videoProbe({ width: 640, height: 480, fps: 30 }));
    expect(sizes(renditions)).toEqual(["144p:192x144", "240p:320x240", "360p:480x360", "480p:640x480"]);
    expect(renditions.map((r) => r.maxrateKbps)).toEqual([80, 190, 380, 680]);
  });

  test("a source smaller than every rung gets one rendition at its own even size", () => {
    expect(sizes(chooseRenditions(videoProbe({ width: 201, height: 113, fps: 30 })))).toEqual(["112p:200x112"]);
  });

  test("odd source sizes never produce odd output sizes", () => {
    for (const [w, h] of [[1279, 719], [719, 1279], [853, 481], [333, 777]] as const) {
      for (const r of chooseRenditions(videoProbe({ width: w, height: h, fps: 30 }))) {
        expect(r.width % 2).toBe(0);
        expect(r.height % 2).toBe(0);
      }
    }
  });

  test("audio-only sources get no video renditions", () => {
    expect(chooseRenditions(AUDIO_ONLY_PROBE)).toEqual([]);
  });

  test("duplicate and non-positive rungs in the configuration are ignored", () => {
    const config = { ...DEFAULT_LADDER, resolutions: [360, 0, 360, -240, 240] };
    expect(sizes(chooseRenditions(videoProbe({ width: 1280, height: 720, fps: 30 }), config))).toEqual([
      "240p:426x240", "360p:640x360",
    ]);
  });
});

describe("bitrates and GOPs", () => {
  test("60 fps costs 1.4x, 24 fps a little less than 30 fps", () => {
    expect(rungBitrateKbps(1080, 1920, 1080, 30)).toBe(3300);
    expect(rungBitrateKbps(1080, 1920, 1080, 60)).toBe(4620);
    expect(rungBitrateKbps(1080, 1920, 1080, 120)).toBe(4620);
    expect(rungBitrateKbps(1080, 1920, 1080, 24)).toBe(2840);
    expect(rungBitrateKbps(1080, 1920, 1080, 1)).toBe(1980);
  });

  test("rungs outside the table are interpolated", () => {
    expect(rungBitrateKbps(900, 1600, 900, 30)).toBe(2550);
    expect(rungBitrateKbps(4320, 7680, 4320, 30)).toBe(52000);
  });

  test("output frame rate is capped, with a fallback when unknown", () => {
    expect(outputFps(29.97, 60)).toBe(29.97);
    expect(outputFps(120, 60)).toBe(60);
    expect(outputFps(null, 60)).toBe(30);
  });

  test("one GOP per segment", () => {
    expect(gopFrames(30, 4)).toBe(120);
    expect(gopFrames(30000 / 1001, 4)).toBe(120);
    expect(gopFrames(23.976, 6)).toBe(144);
    expect(gopFrames(0.1, 4)).toBe(1);
  });

  test("scaledSize rounds to even sizes", () => {
    expect(scaledSize(1920, 1080, 240)).toEqual({ width: 426, height: 240 });
    expect(scaledSize(1080, 1920, 240)).toEqual({ width: 240, height: 426 });
    expect(scaledSize(1000, 1000, 360)).toEqual({ width: 360, height: 360 });
  });
});
