/** Stylesheets and scripts embedded in the binary, served under content-hashed URLs with a one-year cache. */
import css from "../../public/app.css" with { type: "file" };
import favicon from "../../public/favicon.svg" with { type: "file" };
import htmx from "htmx.org/dist/htmx.min.js" with { type: "file" };
import alpine from "alpinejs/dist/cdn.min.js" with { type: "file" };

export interface Asset {
  readonly url: string;
  readonly path: string;
  readonly type: string;
}

export interface Assets {
  readonly urls: { readonly css: string; readonly htmx: string; readonly alpine: string };
  /** Looks an asset up by the URL path it is served at. */
  byUrl(pathname: string): Asset | undefined;
  readonly favicon: string;
}

async function hashed(name: string, path: string, type: string): Promise<Asset> {
  const digest = Bun.hash(await Bun.file(path).arrayBuffer()).toString(36);
  return { url: `/assets/${digest}/${name}`, path, type };
}

/** Reads each embedded file once to derive its cache-busting URL. */
export async function loadAssets(): Promise<Assets> {
  const list = await Promise.all([
    hashed("app.css", css, "text/css; charset=utf-8"),
    hashed("htmx.min.js", htmx, "text/javascript; charset=utf-8"),
    hashed("alpine.min.js", alpine, "text/javascript; charset=utf-8"),
  ]);
  const table = new Map(list.map((a) => [a.url, a]));
  return {
    urls: { css: list[0]!.url, htmx: list[1]!.url, alpine: list[2]!.url },
    byUrl: (pathname) => table.get(pathname),
    favicon,
  };
}
