/** Account settings: profile, password, preferences and language. Plain values in and out; routes translate HTTP. */
import type { Sql } from "postgres";
import type { Config } from "../config.ts";
import type { RateLimiter } from "../http/rate-limit.ts";
import type { UserRow } from "../accounts/queries.ts";
import { HttpError, badRequest } from "../http/errors.ts";
import { DESCRIPTION_MAX, DISPLAY_NAME_MAX, cleanText, passwordProblem, textProblem } from "../accounts/validation.ts";
import { tokenHash } from "../accounts/tokens.ts";
import { i18nFor, isLocale, type Locale, type MessageKey } from "../i18n/i18n.ts";
import { LANGUAGES } from "../videos/metadata.ts";
import * as q from "./queries.ts";

export interface SettingsDeps {
  readonly sql: Sql;
  readonly config: Config;
  readonly limiter: RateLimiter;
}

export interface ProfileInput {
  displayName: string;
  description: string;
}

/**
 * An error whose message comes from the catalog: API clients read it in English, pages show it in the
 * page's language (see `formError` in routes.tsx). `field` also puts it beside that form field.
 */
export function settingsError(status: number, key: MessageKey, field?: string): HttpError {
  const message = i18nFor("en").t(key);
  return new HttpError(status, message, undefined, field ? { [field]: message } : undefined, key);
}

/** Wrong current passwords per account before a pause: enough for typos, too few to guess. */
const PASSWORD_TRIES = 10;
const PASSWORD_WINDOW_SECONDS = 15 * 60;

/** Trims and validates display name and bio (a missing one keeps its value); a bad field throws 400 naming it. */
export function checkProfile(user: UserRow, raw: Partial<ProfileInput>): ProfileInput {
  const input: ProfileInput = {
    displayName: raw.displayName === undefined ? user.displayName : cleanText(raw.displayName),
    description: raw.description === undefined ? user.description : cleanText(raw.description),
  };
  const problems: Record<string, string> = {};
  const name = textProblem("Display name", input.displayName, 1, DISPLAY_NAME_MAX);
  if (name) problems.displayName = name;
  const bio = textProblem("Description", input.description, 0, DESCRIPTION_MAX);
  if (bio) problems.description = bio;
  const first = Object.values(problems)[0];
  if (first) throw badRequest(first, problems);
  return input;
}

/** Validates and stores display name and bio. */
export async function saveProfile(deps: Pick<SettingsDeps, "sql">, user: UserRow, raw: Partial<ProfileInput>): Promise<ProfileInput> {
  const input = checkProfile(user, raw);
  await q.updateProfile(deps.sql, user.actorId, input);
  return input;
}

/**
 * Checks a password the person typed to confirm a sensitive change, under a per-account limit so a
 * borrowed session cannot be used to guess it. `field` names the form field for the error.
 */
export async function confirmPassword(deps: SettingsDeps, user: UserRow, password: string, field: string): Promise<void> {
  const key = `settings:password:${user.id}`;
  const wait = await deps.limiter.blockedFor(key, PASSWORD_TRIES);
  if (wait > 0) throw new HttpError(429, `Too many wrong passwords. Try again in ${Math.ceil(wait / 60)} minute${wait > 60 ? "s" : ""}.`);
  const hash = await q.passwordHashOf(deps.sql, user.id);
  if (!hash || !password || !(await Bun.password.verify(password, hash))) {
    await deps.limiter.hit(key, PASSWORD_WINDOW_SECONDS);
    throw settingsError(400, "settings.error.wrongPassword", field);
  }
  await deps.limiter.reset(key);
}

/** What the request itself is logged in with, so a password change keeps it and ends everything else. */
export interface CurrentCredentials {
  readonly sessionToken?: string | null;
  readonly accessToken?: string | null;
}

/** Changes the password after checking the current one; ends every other session and API token. */
export async function changePassword(
  deps: SettingsDeps,
  user: UserRow,
  input: { currentPassword: string; password: string },
  current: CurrentCredentials,
): Promise<void> {
  await confirmPassword(deps, user, input.currentPassword, "currentPassword");
  const problem = passwordProblem(input.password, user.handle);
  if (problem) throw badRequest(problem, { password: problem });
  const hash = await Bun.password.hash(input.password, { algorithm: "argon2id" });
  await deps.sql.begin(async (tx) => {
    await tx`UPDATE users SET password_hash = ${hash} WHERE id = ${user.id}`;
    await q.endOtherSessions(tx, user.id, {
      sessionHash: current.sessionToken ? tokenHash(current.sessionToken) : null,
      accessHash: current.accessToken ? tokenHash(current.accessToken) : null,
    });
  });
}

export type P2PChoice = "on" | "off" | "default";

/** The raw values of the preferences form or API; undefined leaves a preference as it is. */
export interface PreferencesInput {
  p2p?: unknown;
  sensitivePolicy?: unknown;
  videoLanguages?: unknown;
  locale?: unknown;
}

/** Reads "en", "ja", or "auto" (or null) for the browser's language; anything else is refused. */
export function parseLocaleChoice(value: unknown): Locale | null {
  if (value === "auto" || value === null) return null;
  if (isLocale(value)) return value;
  throw settingsError(400, "settings.error.choice", "locale");
}

function parseP2P(value: unknown): "on" | "off" | null {
  if (value === "on" || value === true) return "on";
  if (value === "off" || value === false) return "off";
  if (value === "default" || value === null) return null;
  throw settingsError(400, "settings.error.choice", "p2p");
}

function parseSensitive(value: unknown): "show" | "blur" | "hide" {
  if (value === "show" || value === "blur" || value === "hide") return value;
  throw settingsError(400, "settings.error.choice", "sensitivePolicy");
}

/** A list of known language codes; empty or null means every language (stored as null). */
export function parseVideoLanguages(value: unknown): string[] | null {
  const list = value === null || value === undefined || value === "" ? [] : Array.isArray(value) ? value : [value];
  const unknown = list.find((code) => typeof code !== "string" || !Object.hasOwn(LANGUAGES, code));
  if (unknown !== undefined) throw settingsError(400, "settings.error.choice", "videoLanguages");
  const codes = [...new Set(list as string[])];
  return codes.length === 0 ? null : codes;
}

/** Validates every given preference; the first bad one throws 400. */
export function parsePreferences(raw: PreferencesInput): Partial<q.Preferences> {
  const prefs: { -readonly [K in keyof q.Preferences]?: q.Preferences[K] } = {};
  if (raw.p2p !== undefined) prefs.p2pPreference = parseP2P(raw.p2p);
  if (raw.sensitivePolicy !== undefined) prefs.sensitivePolicy = parseSensitive(raw.sensitivePolicy);
  if (raw.videoLanguages !== undefined) prefs.videoLanguages = parseVideoLanguages(raw.videoLanguages);
  if (raw.locale !== undefined) prefs.locale = parseLocaleChoice(raw.locale);
  return prefs;
}

/** Validates every given preference, then stores them together. */
export async function savePreferences(deps: Pick<SettingsDeps, "sql">, user: UserRow, raw: PreferencesInput): Promise<Partial<q.Preferences>> {
  const prefs = parsePreferences(raw);
  await q.updatePreferences(deps.sql, user.id, prefs);
  return prefs;
}
