import { expect, test } from "bun:test";
import { brotliDecompressSync } from "node:zlib";
import { loadAssets } from "../../src/http/assets.ts";
import { staticRoutes } from "../../src/http/static-routes.ts";
import type { AppDeps } from "../../src/http/context.ts";
import { SCRIPT_PARTS, STYLESHEET_PARTS } from "../../scripts/build-site-assets.ts";

test("assets are served as Brotli once ready, gzip to clients without br, and identity to the rest", async () => {
  const assets = await loadAssets({ brotli: true });
  await assets.brotliReady;
  const app = staticRoutes({ assets, config: { dataDir: "/nonexistent" } } as unknown as AppDeps);
  const url = `http://localhost${assets.urls.htmx}`;
  const original = await Bun.file(require.resolve("htmx.org/dist/htmx.min.js")).bytes();

  const br = await app.handle(new Request(url, { headers: { "accept-encoding": "gzip, deflate, br, zstd" } }));
  expect(br.headers.get("content-encoding")).toBe("br");
  const brBody = new Uint8Array(await br.arrayBuffer());
  expect(new Uint8Array(brotliDecompressSync(brBody))).toEqual(original);

  const gzip = await app.handle(new Request(url, { headers: { "accept-encoding": "gzip" } }));
  expect(gzip.headers.get("content-encoding")).toBe("gzip");
  const gzipBody = new Uint8Array(await gzip.arrayBuffer());
  expect(Bun.gunzipSync(gzipBody)).toEqual(original);
  expect(brBody.length).toBeLessThan(gzipBody.length);

  const plain = await app.handle(new Request(url));
  expect(plain.headers.get("content-encoding")).toBeNull();
  expect(new Uint8Array(await plain.arrayBuffer())).toEqual(original);
});

test("every feature stylesheet and script is part of the one minified app.css and app.js", async () => {
  const listed = (dir: string) => [...new Bun.Glob("*").scanSync(`public/${dir}`)].map((f) => `public/${dir}/${f}`).sort();
  expect(STYLESHEET_PARTS.filter((p) => p.startsWith("public/css/")).map(String).sort()).toEqual(listed("css"));
  expect(SCRIPT_PARTS.map(String).sort()).toEqual(listed("js"));
  const assets = await loadAssets();
  const css = new TextDecoder().decode(assets.byUrl(assets.urls.css)!.body);
  const js = new TextDecoder().decode(assets.byUrl(assets.urls.appJs)!.body);
  // Minified: no indentation left, and clearly smaller than the parts.
  expect(css).not.toContain("\n  ");
  const sourceBytes = (parts: readonly string[]) => parts.reduce((sum, p) => sum + Bun.file(p).size, 0);
  expect(css.length).toBeLessThan(sourceBytes(STYLESHEET_PARTS) * 0.9);
  expect(js.length).toBeLessThan(sourceBytes(SCRIPT_PARTS) * 0.8);
  // Rules from the first and the last part are both there.
  expect(css).toContain(".menu-toggle");
  expect(css).toContain(".settings");
});

test("the HTTP-only player bundle holds one copy of video.js and no DASH parser", async () => {
  const { BUNDLES } = await import("../../scripts/build-assets.ts");
  const bundle = await Bun.file(BUNDLES["player-http"]).text();
  // The DASH parser's XML DOM names its errors; its stand-in says DASH is unsupported.
  expect(bundle).not.toContain("DOMException");
  expect(bundle).toContain("DASH manifests are not supported");
  // video.js registers its version once per copy.
  expect(bundle.match(/registerComponent\("Player"/g)?.length ?? 0).toBeLessThanOrEqual(1);
});
