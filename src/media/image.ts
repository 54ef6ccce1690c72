/** Avatar images: resized and cropped server-side by ffmpeg, so we ship no image library. */

export const AVATAR_SIZE = 240;

/**
 * ffmpeg arguments that turn any still image into a square JPEG of `size` pixels.
 * Only the file protocol is allowed, so a crafted input cannot make ffmpeg fetch URLs.
 */
export function avatarResizeArgs(input: string, output: string, size = AVATAR_SIZE): string[] {
  return [
    "-hide_banner",
    "-loglevel", "error",
    "-nostdin",
    "-protocol_whitelist", "file",
    "-i", input,
    "-frames:v", "1",
    "-vf", `scale=${size}:${size}:force_original_aspect_ratio=increase,crop=${size}:${size}`,
    "-pix_fmt", "yuvj420p",
    "-q:v", "3",
    "-map_metadata", "-1",
    "-y", output,
  ];
}

export class ImageError extends Error {
  override name = "ImageError";
}

/** Runs ffmpeg on an uploaded image; throws ImageError when it is not an image ffmpeg can read. */
export async function resizeAvatar(input: string, output: string, timeoutMs = 20_000): Promise<void> {
  const proc = Bun.spawn(["ffmpeg", ...avatarResizeArgs(input, output)], { stdout: "ignore", stderr: "pipe", timeout: timeoutMs });
  const [code, stderr] = await Promise.all([proc.exited, new Response(proc.stderr).text()]);
  if (code !== 0) throw new ImageError(stderr.trim().split("\n").pop() || `ffmpeg exited with ${code}`);
}
