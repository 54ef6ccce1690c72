/** Small generated media files for tests (ffmpeg lavfi), so no fixture binaries live in the repository. */
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** Writes an H.264 + AAC MP4 test pattern with a tone; returns its path. */
export async function makeClip(options: { seconds?: number; width?: number; height?: number; name?: string } = {}): Promise<string> {
  const { seconds = 2, width = 320, height = 240, name = "clip.mp4" } = options;
  const dir = await mkdtemp(join(tmpdir(), "tubelet-media-"));
  const out = join(dir, name);
  const proc = Bun.spawn(
    [
      "ffmpeg", "-v", "error", "-nostdin",
      "-f", "lavfi", "-i", `testsrc2=size=${width}x${height}:rate=25:duration=${seconds}`,
      "-f", "lavfi", "-i", `sine=frequency=440:duration=${seconds}`,
      "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest", "-y", out,
    ],
    { stderr: "pipe" },
  );
  if ((await proc.exited) !== 0) throw new Error(`ffmpeg could not make a test clip: ${await new Response(proc.stderr).text()}`);
  return out;
}
