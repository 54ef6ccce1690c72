import { describe, expect, test } from "bun:test";
import { escapeFilterOption, findTestcardFont, rtmpPublishUrl, testcardArgs } from "../../../src/live/testcard.ts";

const CLOCK_TEXT = "%{localtime\\\\:%X}.%{eif\\\\:mod(time(0)*1000\\,1000)\\\\:d\\\\:3}   stream %{pts\\\\:hms}";

describe("rtmpPublishUrl", () => {
  test.each([
    ["rtmp://localhost:1935/live", "abc", "rtmp://localhost:1935/live/abc"],
    ["rtmp://localhost:1935/live/", "abc", "rtmp://localhost:1935/live/abc"],
    ["rtmp://localhost:1935/live//", "/abc", "rtmp://localhost:1935/live/abc"],
  ])("%s + %s", (url, key, expected) => {
    expect(rtmpPublishUrl(url, key)).toBe(expected);
  });
});

describe("testcardArgs", () => {
  test("defaults: 1280x720 at 30 fps, 1 kHz tone, a keyframe a second, burnt-in clocks, until killed", () => {
    expect(testcardArgs({ url: "rtmp://127.0.0.1:1935/live/", key: "k3y" })).toEqual([
      "-hide_banner", "-loglevel", "error", "-nostdin",
      "-re", "-f", "lavfi", "-i", "testsrc2=size=1280x720:rate=30",
      "-re", "-f", "lavfi", "-i", "sine=frequency=1000:sample_rate=48000",
      "-vf",
      `drawtext=text=${CLOCK_TEXT}:fontsize=48:fontcolor=white:box=1:boxcolor=black@0.6:boxborderw=12:x=(w-text_w)/2:y=h-text_h-2*lh`,
      "-map", "0:v:0", "-map", "1:a:0",
      "-c:v", "libx264", "-preset", "veryfast", "-tune", "zerolatency",
      "-pix_fmt", "yuv420p",
      "-g", "30", "-keyint_min", "30", "-sc_threshold", "0",
      "-c:a", "aac", "-b:a", "128k", "-ar", "48000", "-ac", "2",
      "-flvflags", "no_duration_filesize", "-f", "flv", "rtmp://127.0.0.1:1935/live/k3y",
    ]);
  });

  test("size, rate, duration and font file", () => {
    const args = testcardArgs({ url: "rtmp://h/live", key: "k", width: 640, height: 360, fps: 25, durationSeconds: 2.5, fontFile: "/fonts/Sans.ttf" });
    expect(args[args.indexOf("-i") + 1]).toBe("testsrc2=size=640x360:rate=25");
    expect(args[args.indexOf("-vf") + 1]).toBe(
      `drawtext=fontfile=/fonts/Sans.ttf:text=${CLOCK_TEXT}:fontsize=24:fontcolor=white:box=1:boxcolor=black@0.6:boxborderw=6:x=(w-text_w)/2:y=h-text_h-2*lh`,
    );
    expect(args.slice(args.indexOf("-g"), args.indexOf("-g") + 4)).toEqual(["-g", "25", "-keyint_min", "25"]);
    expect(args.slice(-7)).toEqual(["-t", "2.5", "-flvflags", "no_duration_filesize", "-f", "flv", "rtmp://h/live/k"]);
  });
});

describe("escapeFilterOption", () => {
  test("escapes for the option parser, then for the graph parser", () => {
    expect(escapeFilterOption("plain/path.ttf")).toBe("plain/path.ttf");
    expect(escapeFilterOption("a:b")).toBe("a\\\\:b");
    expect(escapeFilterOption("it's")).toBe("it\\\\\\'s");
    expect(escapeFilterOption("a,b;c[d]")).toBe("a\\,b\\;c\\[d\\]");
    expect(escapeFilterOption("back\\slash")).toBe("back\\\\\\\\slash");
  });
});

describe("findTestcardFont", () => {
  test("the first candidate that exists, or undefined", async () => {
    expect(await findTestcardFont(["/nonexistent/a.ttf", import.meta.path])).toBe(import.meta.path);
    expect(await findTestcardFont(["/nonexistent/a.ttf"])).toBeUndefined();
  });
});
