#!/usr/bin/env bun
/** Command-line entry: `tubelet serve | migrate | admin create-user | testcard | --help | --version`. */
import { parseArgs } from "node:util";
import { ConfigError, parseConfig } from "./config.ts";
import { VERSION } from "./version.ts";
import { runAdmin, runMigrate, runRunnerCommand, runServe, runTestcardCommand } from "./cli/commands.ts";

export const USAGE = `Tubelet ${VERSION}: a federated video platform in one executable.

Usage:
  tubelet serve [--role web|worker|all]
                                start the web server and job workers (migrates the database first)
  tubelet migrate               apply pending database migrations and exit
  tubelet admin create-user --username U --email E --password P [--admin]
                                create an account (with --admin, an administrator)
  tubelet admin generate-runner-token
                                print a new registration token for remote runners
  tubelet runner --url URL --token TOKEN [--name N] [--concurrency K] [--state FILE]
                                transcode for an instance from this machine (keeps its runner token in FILE)
  tubelet testcard --url rtmp://HOST:1935/live --key KEY [--duration S]
                                stream a test pattern with a clock and a tone to a live (Ctrl+C stops it)
  tubelet --help | --version

Configuration comes from environment variables: TUBELET_PORT (9000), TUBELET_HOST (127.0.0.1),
TUBELET_PUBLIC_URL (http://localhost:9000), TUBELET_DATA_DIR (./data), TUBELET_SIGNUP (open|closed|approval),
TUBELET_RTMP_PORT (1935; 0 turns live streaming off), TUBELET_RTMP_HOST (127.0.0.1),
DATABASE_URL (postgres://postgres@127.0.0.1:5432/tubelet), REDIS_URL (redis://127.0.0.1:6379).
`;

export class UsageError extends Error {
  override name = "UsageError";
}

/** Runs one command; returns the process exit code. */
export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    if (command === "--version" || command === "-v") {
      console.log(VERSION);
      return 0;
    }
    if (command === "--help" || command === "-h" || command === "help") {
      console.log(USAGE);
      return 0;
    }
    if (command === "serve") {
      const { values } = parseArgs({ args: rest, options: { role: { type: "string", default: "all" } }, strict: true });
      if (!["web", "worker", "all"].includes(values.role!)) throw new UsageError(`--role must be web, worker or all, not "${values.role}"`);
      return await runServe(parseConfig(process.env), values.role as "web" | "worker" | "all");
    }
    if (command === "migrate") {
      parseArgs({ args: rest, options: {}, strict: true });
      return await runMigrate(parseConfig(process.env));
    }
    if (command === "admin") return await runAdmin(parseConfig(process.env), rest);
    if (command === "testcard") return await runTestcardCommand(rest);
    if (command === "runner") return await runRunnerCommand(rest);
    throw new UsageError(command ? `unknown command "${command}"` : "no command given");
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`tubelet: configuration error: ${error.message}`);
      return 78; // EX_CONFIG
    }
    if (error instanceof UsageError || (error as { code?: string }).code?.startsWith("ERR_PARSE_ARGS")) {
      console.error(`tubelet: ${(error as Error).message}\n\n${USAGE}`);
      return 64; // EX_USAGE
    }
    console.error(`tubelet: ${(error as Error).message ?? error}`);
    return 1;
  }
}

if (import.meta.main) {
  const code = await main(process.argv.slice(2));
  if (code !== 0 || !["serve"].includes(process.argv[2] ?? "")) process.exit(code);
}
