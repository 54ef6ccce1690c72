/**
 * Reading what ffmpeg wrote and completing the master playlist. ffmpeg 5.1 leaves out FRAME-RATE and
 * derives BANDWIDTH from encoder settings; players choose renditions from these attributes, so we
 * rewrite them from the real files (RFC 8216 section 4.3.4.2).
 */

/** A media segment as listed in a rendition playlist. */
export interface PlaylistSegment {
  readonly uri: string;
  readonly durationSeconds: number;
}

export interface MediaPlaylist {
  /** URI of the fMP4 init segment (EXT-X-MAP), or null for self-contained segments. */
  readonly initSegment: string | null;
  readonly segments: readonly PlaylistSegment[];
}

/** Parses the parts of a rendition playlist we need: its init segment and its segments with durations. */
export function parseMediaPlaylist(text: string): MediaPlaylist {
  let initSegment: string | null = null;
  const segments: PlaylistSegment[] = [];
  let pendingDuration: number | null = null;
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (line.startsWith("#EXT-X-MAP:")) {
      initSegment = parseAttributes(line.slice("#EXT-X-MAP:".length)).get("URI") ?? null;
    } else if (line.startsWith("#EXTINF:")) {
      pendingDuration = Number.parseFloat(line.slice("#EXTINF:".length));
    } else if (line && !line.startsWith("#") && pendingDuration !== null) {
      segments.push({ uri: line, durationSeconds: pendingDuration });
      pendingDuration = null;
    }
  }
  return { initSegment, segments };
}

/** Attributes of one variant in the master playlist, computed from its rendition. */
export interface VariantAttributes {
  /** Rendition playlist URI as written in the master playlist. */
  readonly uri: string;
  /** Peak segment bit rate, bits/s. */
  readonly bandwidth: number;
  readonly averageBandwidth: number;
  readonly codecs: string;
  /** Absent for audio-only variants. */
  readonly resolution?: { readonly width: number; readonly height: number };
  readonly frameRate?: number;
}

const ATTRIBUTE_ORDER = ["BANDWIDTH", "AVERAGE-BANDWIDTH", "CODECS", "RESOLUTION", "FRAME-RATE"];

/**
 * Rewrites every EXT-X-STREAM-INF of a master playlist with the given attributes (other attributes,
 * such as AUDIO groups, are kept) and declares EXT-X-INDEPENDENT-SEGMENTS, true because every segment
 * starts with a keyframe. Throws when the master playlist and the variants do not list the same URIs.
 */
export function completeMasterPlaylist(master: string, variants: readonly VariantAttributes[]): string {
  const byUri = new Map(variants.map((v) => [v.uri, v]));
  const lines = master.replace(/\r\n/g, "\n").split("\n");
  const seen = new Set<string>();
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (!line.startsWith("#EXT-X-STREAM-INF:")) continue;
    const uriIndex = lines.findIndex((l, j) => j > i && l.trim() !== "" && !l.trim().startsWith("#"));
    const uri = uriIndex === -1 ? undefined : lines[uriIndex]!.trim();
    const variant = uri === undefined ? undefined : byUri.get(uri);
    if (!variant || uri === undefined) throw new Error(`master playlist lists a variant we did not produce: ${uri ?? "(no URI)"}`);
    seen.add(uri);
    const attributes = parseAttributes(line.slice("#EXT-X-STREAM-INF:".length));
    lines[i] = `#EXT-X-STREAM-INF:${formatAttributes(applyVariant(attributes, variant))}`;
  }
  const missing = variants.filter((v) => !seen.has(v.uri)).map((v) => v.uri);
  if (missing.length) throw new Error(`master playlist is missing variants: ${missing.join(", ")}`);
  if (!lines.some((l) => l.trim() === "#EXT-X-INDEPENDENT-SEGMENTS")) {
    const versionIndex = lines.findIndex((l) => l.startsWith("#EXT-X-VERSION:"));
    lines.splice(versionIndex === -1 ? 1 : versionIndex + 1, 0, "#EXT-X-INDEPENDENT-SEGMENTS");
  }
  return lines.join("\n");
}

function applyVariant(attributes: Map<string, string>, variant: VariantAttributes): Map<string, string> {
  const known = new Map<string, string>([
    ["BANDWIDTH", String(Math.ceil(variant.bandwidth))],
    ["AVERAGE-BANDWIDTH", String(Math.ceil(variant.averageBandwidth))],
    ["CODECS", `"${variant.codecs}"`],
  ]);
  if (variant.resolution) known.set("RESOLUTION", `${variant.resolution.width}x${variant.resolution.height}`);
  if (variant.frameRate !== undefined) known.set("FRAME-RATE", variant.frameRate.toFixed(3));
  const result = new Map<string, string>();
  for (const key of ATTRIBUTE_ORDER) if (known.has(key)) result.set(key, known.get(key)!);
  // RESOLUTION and FRAME-RATE written by ffmpeg for an audio-only variant would be wrong: drop them.
  for (const [key, value] of attributes) if (!ATTRIBUTE_ORDER.includes(key)) result.set(key, value);
  return result;
}

/** Parses an HLS attribute list (`A=1,B="x,y"`), keeping quotes on quoted values. */
export function parseAttributes(list: string): Map<string, string> {
  const attributes = new Map<string, string>();
  const pattern = /([A-Z0-9-]+)=("[^"]*"|[^,]*)/g;
  for (const match of list.matchAll(pattern)) attributes.set(match[1]!, match[2]!);
  if (attributes.has("URI")) attributes.set("URI", unquote(attributes.get("URI")!));
  return attributes;
}

function formatAttributes(attributes: Map<string, string>): string {
  return [...attributes].map(([key, value]) => `${key}=${value}`).join(",");
}

function unquote(value: string): string {
  return value.startsWith('"') && value.endsWith('"') ? value.slice(1, -1) : value;
}

/** A segment's size and duration, for bit rates. */
export interface SegmentSize {
  readonly bytes: number;
  readonly durationSeconds: number;
}

/**
 * Peak and average bit rates of a rendition (bits/s). A final segment much shorter than the others
 * (a second of credits) would report an inflated peak and push players to a lower rendition, so segments
 * shorter than half the longest one count towards the average only.
 */
export function renditionBitrates(segments: readonly SegmentSize[], initBytes = 0): { peak: number; average: number } {
  const usable = segments.filter((s) => s.durationSeconds > 0);
  if (usable.length === 0) return { peak: 0, average: 0 };
  const totalSeconds = usable.reduce((sum, s) => sum + s.durationSeconds, 0);
  const totalBytes = usable.reduce((sum, s) => sum + s.bytes, initBytes);
  const longest = Math.max(...usable.map((s) => s.durationSeconds));
  const peak = Math.max(...usable.filter((s) => s.durationSeconds >= longest / 2).map((s) => (s.bytes * 8) / s.durationSeconds));
  return { peak: Math.ceil(peak), average: Math.ceil((totalBytes * 8) / totalSeconds) };
}

/** AAC-LC as encoded by ffmpeg's native aac encoder (its default profile). */
export const AAC_LC_CODEC = "mp4a.40.2";

/**
 * The RFC 6381 codec string of an H.264 stream (`avc1.64001f`) from its fMP4 init segment: profile,
 * constraint flags and level are the three bytes after the version byte of the avcC box.
 */
export function avcCodecFromInit(init: Uint8Array): string | null {
  const at = indexOfAscii(init, "avcC");
  if (at === -1 || at + 8 > init.length) return null;
  const hex = (byte: number) => byte.toString(16).padStart(2, "0");
  return `avc1.${hex(init[at + 5]!)}${hex(init[at + 6]!)}${hex(init[at + 7]!)}`;
}

function indexOfAscii(bytes: Uint8Array, ascii: string): number {
  const codes = [...ascii].map((c) => c.charCodeAt(0));
  outer: for (let i = 0; i + codes.length <= bytes.length; i++) {
    for (let j = 0; j < codes.length; j++) if (bytes[i + j] !== codes[j]) continue outer;
    return i;
  }
  return -1;
}
