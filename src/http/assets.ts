/** Stylesheets and scripts embedded in the binary, served under content-hashed URLs with a one-year cache. */
// Built by scripts/build-site-assets.ts: public/app.css and each feature's stylesheet, minified into one file.
import css from "../../public/build/app.css" with { type: "file" };
// The same for the features' small browser scripts (public/js/).
import appJs from "../../public/build/app.js" with { type: "file" };
import favicon from "../../public/favicon.svg" with { type: "file" };
// Built by scripts/build-assets.ts (run by the build, start and test scripts) before anything imports them.
import playerHttp from "../../public/build/player-http.js" with { type: "file" };
import playerP2p from "../../public/build/player-p2p.js" with { type: "file" };
import uploadJs from "../../public/upload.js" with { type: "file" };
import htmx from "htmx.org/dist/htmx.min.js" with { type: "file" };
import alpine from "alpinejs/dist/cdn.min.js" with { type: "file" };
import videojsCss from "video.js/dist/video-js.min.css" with { type: "file" };
import type { AssetUrls } from "../../views/context.ts";

export interface Asset {
  readonly url: string;
  readonly type: string;
  readonly body: Uint8Array<ArrayBuffer>;
  /** Gzipped once at start-up: the P2P player is ~1 MB raw and ~300 KB gzipped. */
  readonly gzip: Uint8Array<ArrayBuffer>;
}

export interface Assets {
  readonly urls: AssetUrls;
  /** Looks an asset up by the URL path it is served at. */
  byUrl(pathname: string): Asset | undefined;
  /** The asset's Brotli form once it is ready (prepared after start-up), else undefined. */
  brotli(asset: Asset): Uint8Array<ArrayBuffer> | undefined;
  /** Resolves when every Brotli form is ready (at once when Brotli was not asked for). */
  readonly brotliReady: Promise<void>;
  readonly favicon: string;
}

const JS = "text/javascript; charset=utf-8";
const CSS = "text/css; charset=utf-8";



async function load(name: string, path: string, type: string): Promise<Asset> {
  const body = await Bun.file(path).bytes();
  return { url: `/assets/${Bun.hash(body).toString(36)}/${name}`, type, body, gzip: new Uint8Array(Bun.gzipSync(body, { level: 9 })) };
}

/**
 * Brotli at its best quality saves 10-17% over gzip -9 (the HTTP-only player: 212 KB -> 177 KB; htmx 16.9 -> 15.3
 * KB) but takes over a second per player bundle, so it runs after start-up, one asset at a time, yielding between
 * them; until an asset's turn comes it is served gzipped.
 */
async function prepareBrotli(assets: readonly Asset[], store: Map<Asset, Uint8Array<ArrayBuffer>>): Promise<void> {
  const { brotliCompressSync, constants } = await import("node:zlib");
  for (const asset of [...assets].sort((a, b) => a.body.length - b.body.length)) {
    await Bun.sleep(0);
    const br = brotliCompressSync(asset.body, { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: asset.body.length } });
    store.set(asset, new Uint8Array(br));
  }
}

/** Reads each embedded file once to derive its cache-busting URL and compressed form; `brotli` adds Brotli forms in the background. */
export async function loadAssets(options: { brotli?: boolean } = {}): Promise<Assets> {
  const entries = {
    css: await load("app.css", css, CSS),
    htmx: await load("htmx.min.js", htmx, JS),
    appJs: await load("app.js", appJs, JS),
    alpine: await load("alpine.min.js", alpine, JS),
    playerHttp: await load("player-http.js", playerHttp, JS),
    playerP2p: await load("player-p2p.js", playerP2p, JS),
    playerCss: await load("video-js.min.css", videojsCss, CSS),
    uploadJs: await load("upload.js", uploadJs, JS),
  };
  const table = new Map(Object.values(entries).map((a) => [a.url, a]));
  const urls = Object.fromEntries(Object.entries(entries).map(([k, a]) => [k, a.url])) as unknown as AssetUrls;
  const brotliForms = new Map<Asset, Uint8Array<ArrayBuffer>>();
  const brotliReady = options.brotli ? prepareBrotli(Object.values(entries), brotliForms) : Promise.resolve();
  return { urls, byUrl: (pathname) => table.get(pathname), brotli: (asset) => brotliForms.get(asset), brotliReady, favicon };
}
