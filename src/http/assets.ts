/** Stylesheets and scripts embedded in the binary, served under content-hashed URLs with a one-year cache. */
import css from "../../public/app.css" with { type: "file" };
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
  readonly favicon: string;
}

const JS = "text/javascript; charset=utf-8";
const CSS = "text/css; charset=utf-8";

async function load(name: string, path: string, type: string): Promise<Asset> {
  const body = new Uint8Array(await Bun.file(path).arrayBuffer());
  return { url: `/assets/${Bun.hash(body).toString(36)}/${name}`, type, body, gzip: new Uint8Array(Bun.gzipSync(body, { level: 9 })) };
}

/** Reads each embedded file once to derive its cache-busting URL and compressed form. */
export async function loadAssets(): Promise<Assets> {
  const entries = {
    css: await load("app.css", css, CSS),
    htmx: await load("htmx.min.js", htmx, JS),
    alpine: await load("alpine.min.js", alpine, JS),
    playerHttp: await load("player-http.js", playerHttp, JS),
    playerP2p: await load("player-p2p.js", playerP2p, JS),
    playerCss: await load("video-js.min.css", videojsCss, CSS),
    uploadJs: await load("upload.js", uploadJs, JS),
  };
  const table = new Map(Object.values(entries).map((a) => [a.url, a]));
  const urls = Object.fromEntries(Object.entries(entries).map(([k, a]) => [k, a.url])) as unknown as AssetUrls;
  return { urls, byUrl: (pathname) => table.get(pathname), favicon };
}
