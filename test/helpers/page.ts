/** A PageContext for rendering views in unit tests, in English unless asked otherwise. */
import type { AssetUrls, PageContext } from "../../views/context.ts";
import { i18nFor, type Locale } from "../../src/i18n/i18n.ts";

export const testAssets: AssetUrls = {
  css: "/a/app.css", htmx: "/a/htmx.js", alpine: "/a/alpine.js", appJs: "/a/app.js", playerHttp: "/a/player-http.js", playerP2p: "/a/player-p2p.js",
  playerCss: "/a/video-js.css", uploadJs: "/a/upload.js",
};

export function testPage(overrides: Partial<PageContext> & { locale?: Locale } = {}): PageContext {
  const i18n = i18nFor(overrides.locale ?? "en");
  return { instanceName: "T", viewer: null, csrfToken: "t", assets: testAssets, now: new Date(0), path: "/", locale: i18n.locale, t: i18n.t, i18n, ...overrides };
}
