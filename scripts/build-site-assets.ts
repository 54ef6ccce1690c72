/**
 * Builds the stylesheet and the feature scripts every page loads, each one minified file in public/build/:
 *   app.css  public/app.css, then each feature's public/css/<feature>.css, in the cascade order below
 *   app.js   each feature's public/js/<feature>.js (plain browser scripts, each its own IIFE)
 * Minifying saves about a quarter of what crosses the wire after compression (the home page's budget is 30 KB).
 * Skipped when both outputs are newer than every part; `--force` rebuilds anyway.
 */
import { mkdir, rm, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";

const ROOT = join(import.meta.dir, "..");
const OUT_DIR = join(ROOT, "public", "build");

/** Base first: feature rules may refine it. A new feature file must be added here (a test checks). */
export const STYLESHEET_PARTS = [
  "public/app.css",
  "public/css/videos.css",
  "public/css/search.css",
  "public/css/comments.css",
  "public/css/subscriptions.css",
  "public/css/notifications.css",
  "public/css/playlists.css",
  "public/css/share.css",
  "public/css/settings.css",
  "public/css/live.css",
  "public/css/admin.css",
] as const;

/** Loaded before Alpine, which the feature scripts register components with on alpine:init. */
export const SCRIPT_PARTS = [
  "public/js/layout.js",
  "public/js/search.js",
  "public/js/comments.js",
  "public/js/notifications.js",
  "public/js/playlists.js",
  "public/js/share.js",
  "public/js/settings.js",
  "public/js/live.js",
] as const;

export const SITE_ASSETS = { css: join(OUT_DIR, "app.css"), js: join(OUT_DIR, "app.js") } as const;

const mtime = (path: string) => stat(path).then((s) => s.mtimeMs, () => -1);

async function upToDate(): Promise<boolean> {
  const inputs = [...STYLESHEET_PARTS, ...SCRIPT_PARTS, "scripts/build-site-assets.ts"].map((p) => join(ROOT, p));
  const newestInput = Math.max(...(await Promise.all(inputs.map(mtime))));
  const oldestOutput = Math.min(...(await Promise.all(Object.values(SITE_ASSETS).map(mtime))));
  return oldestOutput > newestInput;
}

/** Concatenates `parts` (a newline between files) into a scratch entry and minifies it to `out`. */
async function bundle(parts: readonly string[], out: string, loader: "css" | "js"): Promise<void> {
  const texts = await Promise.all(parts.map((p) => Bun.file(join(ROOT, p)).text()));
  const scratch = join(OUT_DIR, `.${loader}-entry.${loader}`);
  await writeFile(scratch, texts.join("\n"));
  try {
    const result = await Bun.build({ entrypoints: [scratch], target: "browser", minify: true, ...(loader === "js" ? { format: "iife" as const } : {}) });
    if (!result.success) {
      for (const log of result.logs) console.error(log);
      throw new Error(`minifying ${out} failed`);
    }
    await writeFile(out, await result.outputs[0]!.text());
  } finally {
    await rm(scratch, { force: true });
  }
}

/** Builds app.css and app.js unless they are up to date; returns whether it built. */
export async function buildSiteAssets(options: { force?: boolean; quiet?: boolean } = {}): Promise<boolean> {
  await mkdir(OUT_DIR, { recursive: true });
  if (!options.force && (await upToDate())) return false;
  await bundle(STYLESHEET_PARTS, SITE_ASSETS.css, "css");
  await bundle(SCRIPT_PARTS, SITE_ASSETS.js, "js");
  if (!options.quiet) console.log("built public/build/app.css and app.js");
  return true;
}

if (import.meta.main) {
  await buildSiteAssets({ force: process.argv.includes("--force") });
}
