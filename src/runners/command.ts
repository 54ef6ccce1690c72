/** The `tubelet runner` and `tubelet admin generate-runner-token` commands' bodies. */
import { parseArgs } from "node:util";
import { hostname } from "node:os";
import type { Config } from "../config.ts";
import { checkDatabase, createSql } from "../db/client.ts";
import { migrate } from "../db/migrate.ts";
import { MIGRATIONS } from "../db/migrations.ts";
import { generateRegistrationToken } from "./service.ts";
import { runRunner } from "./runner.ts";

const usageError = (message: string) => Object.assign(new Error(message), { code: "ERR_PARSE_ARGS_RUNNER" });

/** `tubelet runner --url URL --token TOKEN [--name N] [--concurrency K] [--state FILE] [--work-dir DIR]`; Ctrl+C hands jobs back. */
export async function runRunnerCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    strict: true,
    options: {
      url: { type: "string" },
      token: { type: "string" },
      name: { type: "string" },
      concurrency: { type: "string", default: "1" },
      state: { type: "string", default: "tubelet-runner.json" },
      "work-dir": { type: "string" },
      "poll-seconds": { type: "string", default: "10" },
      "heartbeat-seconds": { type: "string", default: "5" },
    },
  });
  if (!values.url || !/^https?:\/\//.test(values.url)) throw usageError("runner needs --url https://INSTANCE");
  if (!values.token) throw usageError("runner needs --token (a registration token from the instance's administrators)");
  const concurrency = Number(values.concurrency);
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64) throw usageError(`--concurrency must be 1..64, not "${values.concurrency}"`);
  const pollSeconds = Number(values["poll-seconds"]);
  const heartbeatSeconds = Number(values["heartbeat-seconds"]);
  if (!(pollSeconds >= 0.2) || !(heartbeatSeconds >= 0.2)) throw usageError("--poll-seconds and --heartbeat-seconds must be at least 0.2");
  const stop = new AbortController();
  const abort = () => stop.abort();
  process.once("SIGINT", abort);
  process.once("SIGTERM", abort);
  await runRunner({
    url: values.url,
    registrationToken: values.token,
    name: values.name ?? hostname(),
    concurrency,
    stateFile: values.state!,
    workDir: values["work-dir"],
    pollSeconds,
    heartbeatSeconds,
    signal: stop.signal,
  });
  return 0;
}

/** `tubelet admin generate-runner-token`: prints a new registration token. */
export async function generateRunnerTokenCommand(config: Config): Promise<number> {
  const sql = createSql(config.databaseUrl, { max: 1 });
  try {
    await checkDatabase(sql, config.databaseUrl);
    await migrate(sql, MIGRATIONS);
    console.log((await generateRegistrationToken(sql)).registrationToken);
    return 0;
  } finally {
    await sql.end({ timeout: 2 });
  }
}
