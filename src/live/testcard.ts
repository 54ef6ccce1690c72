/**
 * `tubelet testcard`: pushes a generated test pattern with a 1 kHz tone to an RTMP endpoint, for demos and
 * tests. The picture carries the wall-clock time (with milliseconds) at which each frame was drawn and the
 * stream time, so latency is read off a screen: the wall clock in the player minus the clock beside it.
 */
import { withParentDeathSignal } from "../transcoding/ffmpeg.ts";

export interface TestcardOptions {
  /** RTMP application URL, e.g. rtmp://localhost:1935/live */
  readonly url: string;
  readonly key: string;
  /** Stop after this many seconds; absent = until killed. */
  readonly durationSeconds?: number;
  readonly width?: number;
  readonly height?: number;
  readonly fps?: number;
  /** TrueType font for the clock; absent = fontconfig's default sans font. */
  readonly fontFile?: string;
}

export const TESTCARD_DEFAULTS = Object.freeze({ width: 1280, height: 720, fps: 30 });

/**
 * Fonts looked for when none is given. Debian's ffmpeg finds a font through fontconfig anyway (its
 * libfontconfig pulls in fonts-dejavu-core), but a named file also works where fontconfig has no
 * configuration, e.g. a minimal container.
 */
export const TESTCARD_FONT_CANDIDATES: readonly string[] = Object.freeze([
  "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", // Debian, Ubuntu: fonts-dejavu-core
  "/usr/share/fonts/dejavu/DejaVuSans.ttf", // Alpine, Fedora
  "/usr/share/fonts/TTF/DejaVuSans.ttf", // Arch
  "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
]);

/** The RTMP URL a publisher connects to: the application URL and the stream key joined by exactly one '/'. */
export function rtmpPublishUrl(url: string, key: string): string {
  return `${url.replace(/\/+$/, "")}/${key.replace(/^\/+/, "")}`;
}

/**
 * ffmpeg arguments for the test card. `-re` paces both generated inputs in real time, like a camera;
 * a keyframe every second (`-g fps`) lets the low-latency ladder cut 1 s segments even in passthrough.
 * The URL is the last argument.
 */
export function testcardArgs(o: TestcardOptions): string[] {
  const width = o.width ?? TESTCARD_DEFAULTS.width;
  const height = o.height ?? TESTCARD_DEFAULTS.height;
  const fps = o.fps ?? TESTCARD_DEFAULTS.fps;
  const args = [
    "-hide_banner", "-loglevel", "error", "-nostdin",
    "-re", "-f", "lavfi", "-i", `testsrc2=size=${width}x${height}:rate=${fps}`,
    "-re", "-f", "lavfi", "-i", "sine=frequency=1000:sample_rate=48000",
    "-vf", clockOverlay(height, o.fontFile),
    "-map", "0:v:0", "-map", "1:a:0",
    "-c:v", "libx264", "-preset", "veryfast", "-tune", "zerolatency",
    "-pix_fmt", "yuv420p",
    "-g", String(fps), "-keyint_min", String(fps), "-sc_threshold", "0",
    "-c:a", "aac", "-b:a", "128k", "-ar", "48000", "-ac", "2",
  ];
  if (o.durationSeconds !== undefined) args.push("-t", String(o.durationSeconds));
  // An RTMP output cannot seek back to patch the duration into the FLV header: do not try.
  args.push("-flvflags", "no_duration_filesize", "-f", "flv", rtmpPublishUrl(o.url, o.key));
  return args;
}

/**
 * drawtext showing `HH:MM:SS.mmm  stream HH:MM:SS.mmm`: the local wall clock (`localtime` has whole seconds
 * only, so the milliseconds come from `time(0)`, the wall clock in seconds as a float) and the frame's
 * presentation time.
 */
function clockOverlay(height: number, fontFile: string | undefined): string {
  const text = "%{localtime:%X}.%{eif:mod(time(0)*1000,1000):d:3}   stream %{pts:hms}";
  const size = Math.max(12, Math.round(height / 15));
  const options: [string, string][] = [
    ...(fontFile ? [["fontfile", fontFile] as [string, string]] : []),
    ["text", text],
    ["fontsize", String(size)],
    ["fontcolor", "white"],
    ["box", "1"],
    ["boxcolor", "black@0.6"],
    ["boxborderw", String(Math.round(size / 4))],
    ["x", "(w-text_w)/2"],
    ["y", "h-text_h-2*lh"],
  ];
  return `drawtext=${options.map(([key, value]) => `${key}=${escapeFilterOption(value)}`).join(":")}`;
}

/**
 * Escapes an option value inside a filtergraph: first for the option parser (`\`, `'`, `:`), then for the
 * graph parser (`\`, `'`, `[`, `]`, `,`, `;`), as ffmpeg's filter documentation describes ("Notes on
 * filtergraph escaping"). So any font path and any text survive both levels unchanged.
 */
export function escapeFilterOption(value: string): string {
  const forOption = value.replace(/[\\':]/g, (c) => `\\${c}`);
  return forOption.replace(/[\\'[\],;]/g, (c) => `\\${c}`);
}

export interface RunTestcardOptions extends TestcardOptions {
  /** Aborting stops the stream: SIGINT (ffmpeg closes the FLV and the RTMP session cleanly), SIGKILL after graceMs. */
  readonly signal?: AbortSignal;
  /** ffmpeg's stderr as it comes (errors only). */
  readonly onStderr?: (text: string) => void;
  readonly graceMs?: number;
  readonly ffmpegPath?: string;
}

/** Runs the test card until its duration ends, ffmpeg fails or the signal aborts; resolves with ffmpeg's exit code. */
export async function runTestcard(o: RunTestcardOptions): Promise<number> {
  o.signal?.throwIfAborted();
  const fontFile = o.fontFile ?? (await findTestcardFont());
  const proc = Bun.spawn(withParentDeathSignal([o.ffmpegPath ?? "ffmpeg", ...testcardArgs({ ...o, fontFile })]), {
    stdin: "ignore",
    stdout: "ignore",
    stderr: "pipe",
  });
  let killTimer: ReturnType<typeof setTimeout> | null = null;
  const stop = () => {
    proc.kill("SIGINT");
    killTimer = setTimeout(() => proc.kill("SIGKILL"), o.graceMs ?? 3000);
  };
  o.signal?.addEventListener("abort", stop, { once: true });
  try {
    const decoder = new TextDecoder();
    const reader = proc.stderr.getReader();
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) o.onStderr?.(decoder.decode(chunk.value, { stream: true }));
    return await proc.exited;
  } finally {
    o.signal?.removeEventListener("abort", stop);
    if (killTimer) clearTimeout(killTimer);
  }
}

/** The first existing font of the candidates, or undefined (then fontconfig picks one). */
export async function findTestcardFont(candidates: readonly string[] = TESTCARD_FONT_CANDIDATES): Promise<string | undefined> {
  for (const path of candidates) if (await Bun.file(path).exists()) return path;
  return undefined;
}
