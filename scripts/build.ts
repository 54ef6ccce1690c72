/** Builds the single executable dist/tubelet; views, migrations and assets are embedded by their imports. */
import { $ } from "bun";
import { buildAssets } from "./build-assets.ts";
import { buildSiteAssets } from "./build-site-assets.ts";

const outfile = process.argv[2] ?? "dist/tubelet";
// The browser bundles first: src/http/assets.ts embeds them from public/build/.
await buildAssets();
await buildSiteAssets();
const started = performance.now();
const result = await Bun.build({
  entrypoints: ["src/main.ts"],
  compile: { outfile },
  minify: true,
  sourcemap: "linked",
  target: "bun",
});
if (!result.success) {
  for (const log of result.logs) console.error(log);
  process.exit(1);
}
const size = (await $`stat -c %s ${outfile}`.text()).trim();
console.log(`built ${outfile} (${(Number(size) / 1_048_576).toFixed(1)} MB) in ${((performance.now() - started) / 1000).toFixed(1)} s`);
