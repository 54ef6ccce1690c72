/**
 * ffmpeg's `-progress pipe:1` output, parsed without side effects.
 * ffmpeg writes blocks of `key=value` lines, each closed by `progress=continue` or `progress=end`.
 */

/** One completed block of ffmpeg progress output. */
export interface ProgressBlock {
  /** Output time reached, in seconds; null when ffmpeg printed N/A (before the first frame). */
  readonly outTimeSeconds: number | null;
  /** True for the block ffmpeg writes last (`progress=end`). */
  readonly done: boolean;
}

/** Splits buffered progress text into complete blocks and the unfinished tail to keep for the next chunk. */
export function parseProgressBlocks(buffer: string): { blocks: ProgressBlock[]; rest: string } {
  const blocks: ProgressBlock[] = [];
  let fields = new Map<string, string>();
  let consumed = 0;
  let lineStart = 0;
  for (let newline = buffer.indexOf("\n"); newline !== -1; newline = buffer.indexOf("\n", lineStart)) {
    const line = buffer.slice(lineStart, newline).trim();
    lineStart = newline + 1;
    const equals = line.indexOf("=");
    if (equals <= 0) continue;
    const key = line.slice(0, equals);
    const value = line.slice(equals + 1);
    fields.set(key, value);
    if (key === "progress") {
      blocks.push({ outTimeSeconds: outTimeOf(fields), done: value === "end" });
      fields = new Map();
      consumed = lineStart;
    }
  }
  return { blocks, rest: buffer.slice(consumed) };
}

/**
 * Prefers out_time_us. out_time_ms is, despite its name, also in microseconds (a long-standing ffmpeg quirk),
 * and out_time is HH:MM:SS.micro; each is a fallback for the one before.
 */
function outTimeOf(fields: Map<string, string>): number | null {
  for (const key of ["out_time_us", "out_time_ms"]) {
    const micros = Number(fields.get(key));
    if (fields.has(key) && Number.isFinite(micros)) return Math.max(0, micros / 1_000_000);
  }
  const clock = /^(-?\d+):(\d+):(\d+(?:\.\d+)?)$/.exec(fields.get("out_time") ?? "");
  if (!clock) return null;
  return Math.max(0, Number(clock[1]) * 3600 + Number(clock[2]) * 60 + Number(clock[3]));
}

/**
 * Percent complete (0-100) for a block, given the expected output duration. Stays below 100 until
 * ffmpeg says it has ended, so a UI never shows "done" while the muxer is still finishing files.
 */
export function progressPercent(block: ProgressBlock, durationSeconds: number): number | null {
  if (block.done) return 100;
  if (block.outTimeSeconds === null || !(durationSeconds > 0)) return null;
  return Math.min(99, Math.max(0, (block.outTimeSeconds / durationSeconds) * 100));
}
