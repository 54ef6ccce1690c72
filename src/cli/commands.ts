/** The CLI commands' bodies, separate from argument parsing so tests can call them. */
import { parseArgs } from "node:util";
import type { Config } from "../config.ts";
import { checkDatabase, createSql } from "../db/client.ts";
import { migrate } from "../db/migrate.ts";
import { MIGRATIONS } from "../db/migrations.ts";
import { registerUser } from "../accounts/service.ts";
import { HttpError } from "../http/errors.ts";
import { startServer, type Role } from "../server.ts";
import { runTestcard } from "../live/testcard.ts";
import { generateRunnerTokenCommand } from "../runners/command.ts";
export { runRunnerCommand } from "../runners/command.ts";

export async function runServe(config: Config, role: Role = "all"): Promise<number> {
  const running = await startServer(config, role);
  console.log(running.url ? `tubelet: serving ${config.publicUrl} (listening on ${running.url}, role ${role})` : "tubelet: running job workers only");
  const stop = async () => {
    await running.stop();
    process.exit(0);
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  return 0;
}

export async function runMigrate(config: Config): Promise<number> {
  const sql = createSql(config.databaseUrl, { max: 1 });
  try {
    await checkDatabase(sql, config.databaseUrl);
    const applied = await migrate(sql, MIGRATIONS);
    console.log(applied.length ? `tubelet: applied ${applied.map((m) => `${m.version} ${m.name}`).join(", ")}` : "tubelet: database is up to date");
    return 0;
  } finally {
    await sql.end({ timeout: 2 });
  }
}

export async function runAdmin(config: Config, args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === "generate-runner-token") return generateRunnerTokenCommand(config);
  if (sub !== "create-user") {
    throw Object.assign(new Error(sub ? `unknown admin command "${sub}"` : "admin needs a command"), { code: "ERR_PARSE_ARGS_ADMIN" });
  }
  const { values } = parseArgs({
    args: rest,
    strict: true,
    options: {
      username: { type: "string" },
      email: { type: "string" },
      password: { type: "string" },
      admin: { type: "boolean", default: false },
    },
  });
  const missing = ["username", "email", "password"].filter((k) => !values[k as keyof typeof values]);
  if (missing.length) {
    throw Object.assign(new Error(`create-user needs ${missing.map((m) => `--${m}`).join(", ")}`), { code: "ERR_PARSE_ARGS_ADMIN" });
  }
  const sql = createSql(config.databaseUrl, { max: 2 });
  try {
    await checkDatabase(sql, config.databaseUrl);
    await migrate(sql, MIGRATIONS);
    const user = await registerUser(
      { sql, config },
      { username: values.username!, email: values.email!, password: values.password!, role: values.admin ? "admin" : "user" },
      { bypassSignupMode: true },
    );
    console.log(`tubelet: created ${user.role === "admin" ? "administrator" : "user"} @${user.handle}`);
    return 0;
  } catch (error) {
    if (error instanceof HttpError) {
      const details = Object.values(error.fields ?? {}).join(" ");
      console.error(`tubelet: ${error.message}${details ? ` ${details}` : ""}`);
      return 1;
    }
    throw error;
  } finally {
    await sql.end({ timeout: 2 });
  }
}

/** `tubelet testcard`: pushes the test pattern until --duration runs out or Ctrl+C; exits with ffmpeg's status. */
export async function runTestcardCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    strict: true,
    options: { url: { type: "string" }, key: { type: "string" }, duration: { type: "string" } },
  });
  if (!values.url || !/^rtmps?:\/\//.test(values.url)) {
    throw Object.assign(new Error("testcard needs --url rtmp://HOST:1935/live"), { code: "ERR_PARSE_ARGS_TESTCARD" });
  }
  if (!values.key) throw Object.assign(new Error("testcard needs --key (the live's stream key)"), { code: "ERR_PARSE_ARGS_TESTCARD" });
  const duration = values.duration === undefined ? undefined : Number(values.duration);
  if (duration !== undefined && !(duration > 0 && duration <= 86_400)) {
    throw Object.assign(new Error(`--duration must be seconds between 1 and 86400, not "${values.duration}"`), { code: "ERR_PARSE_ARGS_TESTCARD" });
  }
  const stop = new AbortController();
  const abort = () => stop.abort();
  process.once("SIGINT", abort);
  process.once("SIGTERM", abort);
  console.log(`tubelet: streaming the test card to ${values.url}${duration ? ` for ${duration} s` : " (Ctrl+C stops)"}`);
  try {
    const code = await runTestcard({ url: values.url, key: values.key, durationSeconds: duration, signal: stop.signal });
    // Stopped by the user: a clean end, whatever ffmpeg says about the cut connection.
    return stop.signal.aborted ? 0 : code;
  } finally {
    process.off("SIGINT", abort);
    process.off("SIGTERM", abort);
  }
}
