/** Account settings: preferences (visitors too), language, profile and avatar, password, account deletion. */
import { Elysia } from "elysia";
import type { contextPlugin } from "../http/context.ts";
import { LOCALE_COOKIE, SESSION_COOKIE, requireUser, setSessionCookie } from "../http/context.ts";
import { HttpError, badRequest } from "../http/errors.ts";
import { field, safeNext } from "../http/forms.ts";
import { staticUrl } from "../http/urls.ts";
import type { UserRow } from "../accounts/queries.ts";
import { byteSize, removeActorAvatar, replaceActorAvatar } from "../accounts/avatar.ts";
import { isLocale } from "../i18n/i18n.ts";
import { P2P_COOKIE } from "../p2p/consent.ts";
import { LANGUAGES } from "../videos/metadata.ts";
import type { PageContext } from "../../views/context.ts";
import { PreferencesForm, PreferencesPage, type PreferencesView } from "../../views/pages/settings.tsx";
import { AccountDeletedPage, DeleteAccountPage, PasswordForm, PasswordPage, ProfileForm, ProfilePage } from "../../views/pages/settings-account.tsx";
import { changePassword, parseLocaleChoice, saveProfile, savePreferences, settingsError } from "./service.ts";
import { deleteAccount } from "./delete-account.ts";
import { countAccountVideos, countOtherAdmins, updatePreferences, type Preferences } from "./queries.ts";
import { settingsApiRoutes } from "./api.ts";

const YEAR_SECONDS = 365 * 86_400;
const LANGUAGE_CODES = Object.keys(LANGUAGES);

type Cookies = Record<string, { value?: unknown; set(options: Record<string, unknown>): unknown } | undefined>;

const isHtmx = (request: Request) => request.headers.get("hx-request") === "true";

interface FormFailure {
  readonly status: number;
  readonly message: string;
  readonly fields?: Readonly<Record<string, string>>;
}

/**
 * Errors meant for the person come back into the form, in the page's language when the message has a
 * catalog key; anything else goes on to the error page.
 */
function formError(error: unknown, page: PageContext): FormFailure {
  if (!(error instanceof HttpError)) throw error;
  if (!error.messageKey) return error;
  const message = page.t(error.messageKey);
  const fields = error.fields && Object.fromEntries(Object.entries(error.fields).map(([k, v]) => [k, v === error.message ? message : v]));
  return { status: error.status, message, fields };
}

/** What the preferences page shows: the profile's values (with `saved` just written over them), or a visitor's cookies. */
function preferencesOf(user: UserRow | null, cookie: Cookies, instanceP2P: PreferencesView["instanceP2P"], saved: Partial<Preferences> = {}): PreferencesView {
  const p2pCookie = cookie[P2P_COOKIE]?.value;
  const localeCookie = cookie[LOCALE_COOKIE]?.value;
  const pick = <K extends keyof Preferences>(key: K, fallback: Preferences[K]): Preferences[K] => (saved[key] !== undefined ? saved[key]! : fallback);
  return {
    p2p: user ? pick("p2pPreference", user.p2pPreference) : p2pCookie === "on" || p2pCookie === "off" ? p2pCookie : null,
    instanceP2P,
    sensitivePolicy: pick("sensitivePolicy", user?.sensitivePolicy ?? "blur"),
    videoLanguages: pick("videoLanguages", user?.videoLanguages ?? null) ?? [],
    locale: user ? pick("locale", user.locale) : isLocale(localeCookie) ? localeCookie : null,
    languageCodes: LANGUAGE_CODES,
  };
}

/** Cookies that would otherwise override the profile's choice in this browser follow it instead. */
function syncPreferenceCookies(cookie: Cookies, secure: boolean, saved: { p2pPreference?: "on" | "off" | null; locale?: string | null }) {
  const base = { path: "/", sameSite: "lax" as const, secure, httpOnly: true };
  if (saved.p2pPreference !== undefined) {
    cookie[P2P_COOKIE]!.set(saved.p2pPreference ? { ...base, value: saved.p2pPreference, maxAge: YEAR_SECONDS } : { ...base, value: "", maxAge: 0 });
  }
  if (saved.locale === null) cookie[LOCALE_COOKIE]!.set({ ...base, value: "", maxAge: 0 });
}

function profileView(user: UserRow) {
  return { handle: user.handle, displayName: user.displayName, description: user.description, avatarUrl: staticUrl(user.avatarPath) };
}

async function deletePageProps(sql: Parameters<typeof countAccountVideos>[0], user: UserRow, page: PageContext) {
  const [videoCount, otherAdmins] = await Promise.all([countAccountVideos(sql, user.id), user.role === "admin" ? countOtherAdmins(sql, user.id) : 1]);
  return { page, handle: user.handle, videoCount, lastAdmin: otherAdmins === 0 };
}

/** Every settings page and form, plus the API's PUT /users/me and avatar endpoints. */
export function settingsRoutes(context: ReturnType<typeof contextPlugin>) {
  return new Elysia({ name: "settings" }).use(preferenceRoutes(context)).use(accountSettingsRoutes(context)).use(settingsApiRoutes(context));
}

/** Preferences and the language switch: the part of settings that visitors have too. */
function preferenceRoutes(context: ReturnType<typeof contextPlugin>) {
  return new Elysia({ name: "settings-preferences" })
    .use(context)
    .get("/settings", ({ deps, user, cookie, page, query }) => (
      <PreferencesPage page={page} prefs={preferencesOf(user, cookie, deps.config.p2p.defaultMode)} notice={query.saved ? page.t("settings.saved") : undefined} />
    ))
    .post("/settings/preferences", async ({ deps, user, body, cookie, page, request, set, redirect }) => {
      const me = requireUser(user);
      const raw = body as Record<string, unknown> | undefined;
      // Unchecked boxes send nothing: no language field means none is ticked, which lists every language.
      const input = { p2p: raw?.p2p, sensitivePolicy: raw?.sensitivePolicy, videoLanguages: raw?.videoLanguages ?? [], locale: raw?.locale };
      try {
        const saved = await savePreferences(deps, me, input);
        syncPreferenceCookies(cookie, deps.config.secureCookies, saved);
        if (!isHtmx(request)) return redirect("/settings?saved=1", 303);
        // A new interface language needs the whole page drawn again.
        if (saved.locale !== undefined && saved.locale !== me.locale) {
          set.headers["hx-redirect"] = "/settings?saved=1";
          return "";
        }
        const prefs = preferencesOf(me, cookie, deps.config.p2p.defaultMode, saved);
        return <PreferencesForm page={page} prefs={prefs} notice={page.t("settings.saved")} />;
      } catch (error) {
        const e = formError(error, page);
        set.status = e.status;
        const prefs = preferencesOf(me, cookie, deps.config.p2p.defaultMode);
        if (isHtmx(request)) return <PreferencesForm page={page} prefs={prefs} error={e.message} />;
        return <PreferencesPage page={page} prefs={prefs} error={e.message} />;
      }
    })
    .post("/settings/locale", async ({ deps, user, body, cookie, redirect }) => {
      const raw = field(body, "locale");
      if (raw !== "auto" && !isLocale(raw)) throw settingsError(400, "settings.error.choice");
      const locale = parseLocaleChoice(raw);
      const base = { path: "/", sameSite: "lax" as const, secure: deps.config.secureCookies, httpOnly: true };
      if (user) await updatePreferences(deps.sql, user.id, { locale });
      if (!user || locale === null) {
        cookie[LOCALE_COOKIE]!.set(locale ? { ...base, value: locale, maxAge: YEAR_SECONDS } : { ...base, value: "", maxAge: 0 });
      }
      return redirect(safeNext(field(body, "next")), 303);
    });
}

/** Profile and avatar, password, deleting the account: logged-in people only. */
function accountSettingsRoutes(context: ReturnType<typeof contextPlugin>) {
  return new Elysia({ name: "settings-account" })
    .use(context)
    .get("/settings/profile", ({ deps, user, page, query }) => {
      const me = requireUser(user);
      const notice = query.avatar === "1" ? "settings.avatar.updated" : query.avatar === "0" ? "settings.avatar.removed" : query.saved ? "settings.saved" : null;
      return <ProfilePage page={page} profile={profileView(me)} avatarLimit={byteSize(deps.config.maxAvatarBytes)} notice={notice ? page.t(notice) : undefined} />;
    })
    .post("/settings/profile", async ({ deps, user, body, page, request, set, redirect }) => {
      const me = requireUser(user);
      const values = { displayName: field(body, "displayName"), description: field(body, "description") };
      try {
        const saved = await saveProfile(deps, me, values);
        if (isHtmx(request)) return <ProfileForm page={page} values={saved} notice={page.t("settings.saved")} />;
        return redirect("/settings/profile?saved=1", 303);
      } catch (error) {
        const e = formError(error, page);
        set.status = e.status;
        if (isHtmx(request)) return <ProfileForm page={page} values={values} error={e.message} errors={e.fields} />;
        const limit = byteSize(deps.config.maxAvatarBytes);
        return <ProfilePage page={page} profile={profileView(me)} avatarLimit={limit} values={values} error={e.message} errors={e.fields} />;
      }
    })
    .post("/settings/avatar", async ({ deps, user, body, redirect }) => {
      const me = requireUser(user);
      await replaceActorAvatar(deps, me.actorId, (body as Record<string, unknown> | undefined)?.avatarfile);
      return redirect("/settings/profile?avatar=1", 303);
    })
    .post("/settings/avatar/delete", async ({ deps, user, redirect }) => {
      await removeActorAvatar(deps, requireUser(user).actorId);
      return redirect("/settings/profile?avatar=0", 303);
    })
    .get("/settings/password", ({ user, page, query }) => {
      const me = requireUser(user);
      return <PasswordPage page={page} handle={me.handle} notice={query.saved ? page.t("settings.password.changed") : undefined} />;
    })
    .post("/settings/password", async ({ deps, user, body, cookie, page, request, set, redirect }) => {
      const me = requireUser(user);
      const password = field(body, "password");
      try {
        if (password !== field(body, "passwordConfirm")) {
          throw badRequest(page.t("settings.password.mismatch"), { passwordConfirm: page.t("settings.password.mismatch") });
        }
        const sessionToken = cookie[SESSION_COOKIE]?.value;
        await changePassword(deps, me, { currentPassword: field(body, "currentPassword"), password }, { sessionToken: typeof sessionToken === "string" ? sessionToken : null });
        if (isHtmx(request)) return <PasswordForm page={page} handle={me.handle} notice={page.t("settings.password.changed")} />;
        return redirect("/settings/password?saved=1", 303);
      } catch (error) {
        const e = formError(error, page);
        set.status = e.status;
        if (isHtmx(request)) return <PasswordForm page={page} handle={me.handle} error={e.message} errors={e.fields} />;
        return <PasswordPage page={page} handle={me.handle} error={e.message} errors={e.fields} />;
      }
    })
    .get("/settings/delete", async ({ deps, user, page }) => <DeleteAccountPage {...await deletePageProps(deps.sql, requireUser(user), page)} />)
    .post("/settings/delete", async ({ deps, user, body, cookie, page, set, redirect }) => {
      const me = requireUser(user);
      try {
        await deleteAccount(deps, me, { username: field(body, "username"), password: field(body, "password") });
      } catch (error) {
        const e = formError(error, page);
        set.status = e.status;
        return <DeleteAccountPage {...await deletePageProps(deps.sql, me, page)} error={e.message} errors={e.fields} />;
      }
      setSessionCookie(cookie, deps.config, null);
      return redirect("/settings/deleted", 303);
    })
    .get("/settings/deleted", ({ page }) => <AccountDeletedPage page={page} />);
}
