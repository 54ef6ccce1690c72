/**
 * Builds the browser bundles into public/build/ (gitignored), where src/http/assets.ts embeds them:
 *   player-http.js  video.js core + VHS + quality levels, for viewers without P2P (no WebRTC code at all)
 *   player-p2p.js   video.js core + hls.js + P2P Media Loader
 * and, run as a script, the site's stylesheet and scripts (scripts/build-site-assets.ts).
 * Skipped when every bundle is newer than every input, so start and test runs pay nothing when
 * nothing changed. `--force` rebuilds anyway.
 */
import { readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import { buildSiteAssets } from "./build-site-assets.ts";

const ROOT = join(import.meta.dir, "..");
const OUT_DIR = join(ROOT, "public", "build");
const ENTRIES = { "player-http": "public/player/http.ts", "player-p2p": "public/player/p2p.ts" } as const;
/** Bundles change with the entry sources, the dependency versions and this script. */
const INPUT_DIRS = ["public/player"];
const INPUT_FILES = ["package.json", "bun.lock", "scripts/build-assets.ts"];

/** Paths of the built bundles, by entry name. */
export const BUNDLES = Object.fromEntries(Object.keys(ENTRIES).map((name) => [name, join(OUT_DIR, `${name}.js`)])) as Record<keyof typeof ENTRIES, string>;

async function newestInput(): Promise<number> {
  const files = INPUT_FILES.map((f) => join(ROOT, f));
  for (const dir of INPUT_DIRS) {
    for (const entry of await readdir(join(ROOT, dir), { recursive: true, withFileTypes: true })) {
      if (entry.isFile()) files.push(join(entry.parentPath, entry.name));
    }
  }
  const times = await Promise.all(files.map((f) => stat(f).then((s) => s.mtimeMs, () => 0)));
  return Math.max(...times);
}

async function oldestOutput(): Promise<number> {
  const times = await Promise.all(Object.values(BUNDLES).map((f) => stat(f).then((s) => s.mtimeMs, () => -1)));
  return Math.min(...times);
}

/**
 * Both bundles use video.js's core build: the package root is the full build with VHS and its DASH parser
 * inlined, and VHS imports `video.js` itself, so every import of it is pointed at the core. The HTTP bundle
 * imports VHS on its own with the DASH parser replaced (public/player/dash-unsupported.ts).
 */
const trimVideoJs: import("bun").BunPlugin = {
  name: "trim-video.js",
  setup(build) {
    build.onResolve({ filter: /^video\.js$/ }, () => ({ path: join(ROOT, "node_modules/video.js/core.es.js") }));
    build.onResolve({ filter: /^mpd-parser$/ }, () => ({ path: join(ROOT, "public/player/dash-unsupported.ts") }));
  },
};

/** Builds both bundles unless they are up to date; returns whether it built. */
export async function buildAssets(options: { force?: boolean; quiet?: boolean } = {}): Promise<boolean> {
  const started = performance.now();
  if (!options.force && (await oldestOutput()) > (await newestInput())) {
    if (!options.quiet) console.log("browser bundles are up to date");
    return false;
  }
  const result = await Bun.build({
    entrypoints: Object.values(ENTRIES).map((e) => join(ROOT, e)),
    outdir: OUT_DIR,
    naming: "player-[name].[ext]",
    target: "browser",
    // Loaded as classic deferred scripts: an IIFE keeps the minified top-level names off window.
    format: "iife",
    minify: true,
    // P2P Media Loader's core exports a prebuilt bundle under this condition; without it Bun resolves
    // bittorrent-tracker's "browser" field wrongly and the player fails at run time.
    conditions: ["p2pml:core-as-bundle"],
    define: { "process.env.NODE_ENV": JSON.stringify("production") },
    plugins: [trimVideoJs],
  });
  if (!result.success) {
    for (const log of result.logs) console.error(log);
    throw new Error("building the browser bundles failed");
  }
  if (!options.quiet) {
    for (const [name, path] of Object.entries(BUNDLES)) {
      const body = new Uint8Array(await Bun.file(path).arrayBuffer());
      const gzip = Bun.gzipSync(body, { level: 9 }).length;
      console.log(`built public/build/${name}.js: ${kb(body.length)} raw, ${kb(gzip)} gzip`);
    }
    console.log(`browser bundles built in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  }
  return true;
}

function kb(bytes: number): string {
  return `${(bytes / 1024).toFixed(0)} KB`;
}

if (import.meta.main) {
  try {
    await buildAssets({ force: process.argv.includes("--force") });
    await buildSiteAssets({ force: process.argv.includes("--force") });
  } catch (error) {
    console.error((error as Error).message);
    process.exit(1);
  }
}
