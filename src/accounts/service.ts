/** Registration, login and sessions. Plain values in and out; the routes only translate HTTP. */
import type { Db, Sql } from "../db/client.ts";
import type { Config } from "../config.ts";
import type { RateLimiter } from "../http/rate-limit.ts";
import { HttpError, badRequest, conflict } from "../http/errors.ts";
import { insertChannel } from "../channels/queries.ts";
import { generateActorKeys } from "../federation/keys.ts";
import * as q from "./queries.ts";
import { randomToken, tokenHash } from "./tokens.ts";
import {
  DISPLAY_NAME_MAX,
  USERNAME_MAX,
  cleanText,
  emailProblem,
  handleProblem,
  passwordProblem,
  textProblem,
} from "./validation.ts";

export interface AccountsDeps {
  readonly sql: Sql;
  readonly config: Config;
  readonly limiter: RateLimiter;
}

export interface RegisterInput {
  username: string;
  email: string;
  password: string;
  displayName?: string;
  role?: "user" | "admin";
}

export const SESSION_DAYS = 30;

/** Validates every field at once, so a form can show all its problems together. */
export function registrationProblems(input: RegisterInput): Record<string, string> {
  const problems: Record<string, string> = {};
  const username = handleProblem(input.username, USERNAME_MAX);
  if (username) problems.username = username;
  const email = emailProblem(input.email);
  if (email) problems.email = email;
  const password = passwordProblem(input.password, input.username);
  if (password) problems.password = password;
  if (input.displayName !== undefined && input.displayName !== "") {
    const name = textProblem("Display name", input.displayName, 1, DISPLAY_NAME_MAX);
    if (name) problems.displayName = name;
  }
  return problems;
}

/** The default channel takes `<username>_channel`, or a numbered variant when someone already took it. */
async function freeChannelHandle(sql: Db, username: string): Promise<string> {
  for (let n = 1; n < 100; n++) {
    const candidate = n === 1 ? `${username}_channel` : `${username}_channel${n}`;
    if (!(await q.handleExists(sql, candidate))) return candidate;
  }
  throw new HttpError(409, "Could not find a free name for your default channel.");
}

/** Creates the user, their actor and their default channel in one transaction. */
export async function registerUser(
  deps: Pick<AccountsDeps, "sql" | "config">,
  raw: RegisterInput,
  options: { bypassSignupMode?: boolean } = {},
): Promise<q.UserRow> {
  const { sql, config } = deps;
  if (!options.bypassSignupMode && config.signup === "closed") {
    throw new HttpError(403, "Registration is closed on this instance.");
  }
  const input: RegisterInput = {
    username: cleanText(raw.username).toLowerCase(),
    email: cleanText(raw.email),
    password: typeof raw.password === "string" ? raw.password : "",
    displayName: cleanText(raw.displayName),
    role: raw.role ?? "user",
  };
  const problems = registrationProblems(input);
  if (Object.keys(problems).length > 0) throw badRequest("Please correct the highlighted fields.", problems);
  if (await q.handleExists(sql, input.username)) {
    throw conflict("That username is taken.", { username: "That name is already used by an account or a channel." });
  }
  if (await q.emailExists(sql, input.email)) {
    throw conflict("That e-mail address is taken.", { email: "An account with this e-mail address already exists." });
  }
  // Both actors (the person and the default channel) sign ActivityPub requests; their keys are made up front,
  // in parallel with the password hash, rather than on the first delivery.
  const [passwordHash, personKeys, channelKeys] = await Promise.all([
    Bun.password.hash(input.password, { algorithm: "argon2id" }),
    config.federation.enabled ? generateActorKeys() : undefined,
    config.federation.enabled ? generateActorKeys() : undefined,
  ]);
  const approved = options.bypassSignupMode || config.signup !== "approval";
  try {
    const userId = await sql.begin(async (tx) => {
      const actorId = await q.insertActor(tx, {
        handle: input.username,
        kind: "person",
        displayName: input.displayName || input.username,
        keys: personKeys,
      });
      const id = await q.insertUser(tx, {
        actorId,
        email: input.email,
        passwordHash,
        role: input.role!,
        approved,
        quota: config.videos.defaultQuota,
        dailyQuota: config.videos.defaultDailyQuota,
      });
      await insertChannel(tx, {
        ownerId: id,
        handle: await freeChannelHandle(tx, input.username),
        displayName: `Main ${input.displayName || input.username} channel`.slice(0, DISPLAY_NAME_MAX),
        description: "",
        support: "",
        keys: channelKeys,
      });
      return id;
    });
    return (await q.findUserById(sql, userId))!;
  } catch (error) {
    // Two registrations racing for one name or address: the unique index decides, and the loser hears why.
    if ((error as { code?: string }).code === "23505") {
      throw conflict("That username or e-mail address was just taken.", { username: "Taken a moment ago; try another." });
    }
    throw error;
  }
}

const GENERIC_LOGIN_FAILURE = "Wrong username or password.";

/** Checks credentials under per-IP and per-account limits; the same message for unknown users and bad passwords. */
export async function authenticate(deps: AccountsDeps, login: string, password: string, ip: string): Promise<q.UserRow> {
  const { sql, config, limiter } = deps;
  const account = cleanText(login).toLowerCase().slice(0, 254);
  const { perIp, perAccount, windowSeconds } = config.loginLimit;
  const wait = Math.max(await limiter.blockedFor(`login:ip:${ip}`, perIp), await limiter.blockedFor(`login:acct:${account}`, perAccount));
  if (wait > 0) {
    throw new HttpError(429, `Too many failed logins. Try again in ${Math.ceil(wait / 60)} minute${wait > 60 ? "s" : ""}.`);
  }
  const user = account && password ? await q.findUserForLogin(sql, account) : null;
  // Hash even for unknown users so response time does not reveal which usernames exist.
  const ok = user
    ? await Bun.password.verify(password, user.passwordHash)
    : (await Bun.password.verify(password || "x", await DUMMY_HASH_PROMISE()), false);
  if (!user || !ok) {
    await limiter.hit(`login:ip:${ip}`, windowSeconds);
    await limiter.hit(`login:acct:${account}`, windowSeconds);
    throw new HttpError(400, GENERIC_LOGIN_FAILURE, "invalid_grant");
  }
  if (!user.approved) throw new HttpError(403, "Your account is waiting for an administrator's approval.");
  await limiter.reset(`login:acct:${account}`);
  const { passwordHash: _, ...row } = user;
  return row;
}

let dummyHash: Promise<string> | undefined;
/** Made on first use rather than at start-up: argon2id is deliberately slow and memory-hungry. */
const DUMMY_HASH_PROMISE = () => (dummyHash ??= Bun.password.hash("not-a-real-password", { algorithm: "argon2id" }));

/** Opens a browser session; returns the cookie value (only its hash is stored). */
export async function openSession(sql: Sql, userId: number): Promise<{ token: string; expiresAt: Date }> {
  const token = randomToken();
  const expiresAt = new Date(Date.now() + SESSION_DAYS * 86_400_000);
  await q.insertSession(sql, tokenHash(token), userId, expiresAt);
  return { token, expiresAt };
}

export async function closeSession(sql: Sql, token: string): Promise<void> {
  await q.deleteSession(sql, tokenHash(token));
}

export async function sessionUser(sql: Sql, token: string): Promise<q.UserRow | null> {
  if (!/^[\w-]{20,100}$/.test(token)) return null;
  return q.findSessionUser(sql, tokenHash(token));
}
