/** Routes for embedded assets and, when no Caddy is in front, the data folder under /static/. */
import { Elysia } from "elysia";
import type { AppDeps } from "./context.ts";
import { STATIC_PREFIX } from "./urls.ts";
import { safeJoin, serveFile } from "./static.ts";
import { servedCounters } from "../redundancy/service.ts";

/** Files of our mirrors of other instances' videos: what they serve is counted per video for the admin page. */
const MIRROR_FILE = /^\/static\/redundancy\/hls\/([0-9a-f-]{36})\//;

export function staticRoutes(deps: AppDeps) {
  const served = servedCounters(deps.redis, deps.config.redisPrefix);
  return new Elysia({ name: "static" })
    .get("/assets/*", ({ request }) => {
      const asset = deps.assets.byUrl(new URL(request.url).pathname);
      if (!asset) return new Response("Not found", { status: 404 });
      const accepted = request.headers.get("accept-encoding") ?? "";
      const br = /\bbr\b/.test(accepted) ? deps.assets.brotli(asset) : undefined;
      const encoding = br ? "br" : /\bgzip\b/.test(accepted) ? "gzip" : null;
      return new Response(br ?? (encoding === "gzip" ? asset.gzip : asset.body), {
        headers: {
          "content-type": asset.type,
          "cache-control": "public, max-age=31536000, immutable",
          vary: "accept-encoding",
          ...(encoding ? { "content-encoding": encoding } : {}),
        },
      });
    })
    .get("/favicon.svg", () => new Response(Bun.file(deps.assets.favicon), { headers: { "content-type": "image/svg+xml", "cache-control": "public, max-age=86400" } }))
    .get(`${STATIC_PREFIX}*`, async ({ request }) => {
      const pathname = new URL(request.url).pathname;
      const path = safeJoin(deps.config.dataDir, pathname.slice(STATIC_PREFIX.length));
      // The temporary upload area is never public.
      if (!path || path.startsWith(safeJoin(deps.config.dataDir, "tmp") ?? "\0")) return new Response("Not found", { status: 404 });
      const response = await serveFile(path, request);
      const mirrored = MIRROR_FILE.exec(pathname)?.[1];
      if (mirrored && response.ok && request.method === "GET") {
        served.add(mirrored, Number(response.headers.get("content-length") ?? 0)).catch(() => {});
      }
      return response;
    });
}
