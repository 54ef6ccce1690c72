/** `bun run bench NAME`: runs bench/NAME.ts's exported `run()`; any other name prints the list of benchmarks. */
import { readdirSync } from "node:fs";
import { join } from "node:path";

const BENCH_DIR = import.meta.dir;

/** Every bench/*.ts except this runner; helpers live in bench/lib/ and are not benchmarks. */
function availableBenches(): string[] {
  return readdirSync(BENCH_DIR)
    .filter((file) => file.endsWith(".ts") && file !== "run.ts")
    .map((file) => file.slice(0, -".ts".length))
    .sort();
}

function usage(): string {
  return `Usage: bun run bench NAME\n\nBenchmarks:\n${availableBenches().map((name) => `  ${name}`).join("\n")}\n`;
}

const name = process.argv[2];
// Only names from the listing are imported, so the argument can never reach a file outside bench/.
if (!name || !availableBenches().includes(name)) {
  console.error(`${name ? `bench: unknown benchmark "${name}"\n\n` : ""}${usage()}`);
  process.exit(64); // EX_USAGE, as the CLI uses
}

const bench = (await import(join(BENCH_DIR, `${name}.ts`))) as { run?: () => Promise<void> };
if (typeof bench.run !== "function") {
  console.error(`bench: bench/${name}.ts does not export a run() function`);
  process.exit(70);
}
try {
  await bench.run();
} catch (error) {
  console.error(`bench: ${name} failed: ${(error as Error).message ?? error}`);
  process.exitCode = 1;
}
// Explicit exit: a leftover handle (a pool, a stream) must not keep a finished benchmark alive.
process.exit(process.exitCode ?? 0);
