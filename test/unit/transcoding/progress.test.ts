import { describe, expect, test } from "bun:test";
import { parseProgressBlocks, progressPercent } from "../../../src/transcoding/progress.ts";
import { lastLines } from "../../../src/transcoding/ffmpeg.ts";

// Captured from ffmpeg 5.1 with `-progress pipe:1 -nostats`.
const BLOCK_1 = `frame=48
fps=0.00
stream_0_0_q=28.0
bitrate=N/A
total_size=N/A
out_time_us=1533333
out_time_ms=1533333
out_time=00:00:01.533333
dup_frames=0
drop_frames=0
speed=3.06x
progress=continue
`;
const FIRST_BLOCK = `frame=0
fps=0.00
bitrate=N/A
total_size=N/A
out_time_us=N/A
out_time_ms=N/A
out_time=N/A
speed=N/A
progress=continue
`;
const LAST_BLOCK = `frame=180
out_time_us=6000000
out_time_ms=6000000
out_time=00:00:06.000000
progress=end
`;

describe("parseProgressBlocks", () => {
  test("reads out_time_us and marks the final block", () => {
    const { blocks, rest } = parseProgressBlocks(BLOCK_1 + LAST_BLOCK);
    expect(blocks).toEqual([
      { outTimeSeconds: 1.533333, done: false },
      { outTimeSeconds: 6, done: true },
    ]);
    expect(rest).toBe("");
  });

  test("N/A before the first frame gives no time", () => {
    expect(parseProgressBlocks(FIRST_BLOCK).blocks).toEqual([{ outTimeSeconds: null, done: false }]);
  });

  test("keeps an unfinished block for the next chunk, whatever the split point", () => {
    const text = FIRST_BLOCK + BLOCK_1 + LAST_BLOCK;
    for (let cut = 0; cut <= text.length; cut += 7) {
      const first = parseProgressBlocks(text.slice(0, cut));
      const second = parseProgressBlocks(first.rest + text.slice(cut));
      expect([...first.blocks, ...second.blocks].map((b) => b.outTimeSeconds)).toEqual([null, 1.533333, 6]);
      expect(second.rest).toBe("");
    }
  });

  test("falls back to out_time_ms (microseconds despite the name) and then to out_time", () => {
    expect(parseProgressBlocks("out_time_ms=2500000\nprogress=continue\n").blocks[0]?.outTimeSeconds).toBe(2.5);
    expect(parseProgressBlocks("out_time=01:02:03.500000\nprogress=continue\n").blocks[0]?.outTimeSeconds).toBe(3723.5);
  });

  test("negative times at the start of a stream count as zero", () => {
    expect(parseProgressBlocks("out_time_us=-23220\nprogress=continue\n").blocks[0]?.outTimeSeconds).toBe(0);
  });

  test("handles CRLF and ignores junk lines", () => {
    expect(parseProgressBlocks("garbage\r\nout_time_us=1000000\r\nprogress=end\r\n").blocks).toEqual([
      { outTimeSeconds: 1, done: true },
    ]);
  });
});

describe("progressPercent", () => {
  test("percent of the expected duration, held below 100 until the end block", () => {
    expect(progressPercent({ outTimeSeconds: 1.5, done: false }, 6)).toBe(25);
    expect(progressPercent({ outTimeSeconds: 6, done: false }, 6)).toBe(99);
    expect(progressPercent({ outTimeSeconds: 7, done: false }, 6)).toBe(99);
    expect(progressPercent({ outTimeSeconds: 6, done: true }, 6)).toBe(100);
  });

  test("unknown time or duration gives no percent", () => {
    expect(progressPercent({ outTimeSeconds: null, done: false }, 6)).toBeNull();
    expect(progressPercent({ outTimeSeconds: 3, done: false }, 0)).toBeNull();
  });
});

describe("lastLines", () => {
  test("keeps the last non-empty lines", () => {
    expect(lastLines("a\n\nb\r\nc\n", 2)).toEqual(["b", "c"]);
  });
});
