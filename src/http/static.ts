/** Serves files of the data folder (avatars now; segments later) when no Caddy is in front: MIME types, Range, caching. */
import { join, normalize, resolve, sep } from "node:path";

const TYPES: Record<string, string> = {
  ".jpg": "image/jpeg",
  ".jpeg": "image/jpeg",
  ".png": "image/png",
  ".webp": "image/webp",
  ".svg": "image/svg+xml",
  ".m3u8": "application/vnd.apple.mpegurl",
  ".m4s": "video/iso.segment",
  ".mp4": "video/mp4",
  ".m4a": "audio/mp4",
  ".ts": "video/mp2t",
  ".json": "application/json",
  ".vtt": "text/vtt",
};

/** Content type by extension; unknown files are sent as bytes, never sniffed as HTML. */
export function contentTypeFor(path: string): string {
  const dot = path.lastIndexOf(".");
  return (dot >= 0 && TYPES[path.slice(dot).toLowerCase()]) || "application/octet-stream";
}

/** Parses a single `bytes=` range against a size; null for none, "invalid" when it cannot be satisfied. */
export function parseRange(header: string | null, size: number): { start: number; end: number } | null | "invalid" {
  if (!header) return null;
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match || (match[1] === "" && match[2] === "")) return "invalid";
  let start: number;
  let end: number;
  if (match[1] === "") {
    const suffix = Number(match[2]);
    if (suffix === 0) return "invalid";
    start = Math.max(size - suffix, 0);
    end = size - 1;
  } else {
    start = Number(match[1]);
    end = match[2] === "" ? size - 1 : Math.min(Number(match[2]), size - 1);
  }
  if (start > end || start >= size) return "invalid";
  return { start, end };
}

/** Resolves a URL path under `root`, refusing anything that escapes it. */
export function safeJoin(root: string, urlPath: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (decoded.includes("\0")) return null;
  const base = resolve(root);
  const full = resolve(join(base, normalize(decoded)));
  return full.startsWith(base + sep) ? full : null;
}

/**
 * Everything under the data folder is written once and never modified, except playlists and hash maps. A live's
 * change with every segment (each second in low-latency mode), so they are revalidated every time, as Caddy does.
 */
export function cacheControl(path: string, urlPath = ""): string {
  if (!path.endsWith(".m3u8") && !path.endsWith(".json")) return "public, max-age=31536000, immutable";
  return urlPath.startsWith("/static/live/") ? "no-cache" : "public, max-age=2";
}

export async function serveFile(path: string, request: Request): Promise<Response> {
  const file = Bun.file(path);
  if (!(await file.exists())) return new Response("Not found", { status: 404 });
  const size = file.size;
  const headers: Record<string, string> = {
    "content-type": contentTypeFor(path),
    "cache-control": cacheControl(path, new URL(request.url).pathname),
    "accept-ranges": "bytes",
    "access-control-allow-origin": "*",
    "x-content-type-options": "nosniff",
  };
  const range = parseRange(request.headers.get("range"), size);
  if (range === "invalid") {
    return new Response("Range not satisfiable", { status: 416, headers: { ...headers, "content-range": `bytes */${size}` } });
  }
  if (range) {
    const body = request.method === "HEAD" ? null : file.slice(range.start, range.end + 1);
    return new Response(body, {
      status: 206,
      headers: { ...headers, "content-range": `bytes ${range.start}-${range.end}/${size}`, "content-length": String(range.end - range.start + 1) },
    });
  }
  return new Response(request.method === "HEAD" ? null : file, { headers: { ...headers, "content-length": String(size) } });
}
