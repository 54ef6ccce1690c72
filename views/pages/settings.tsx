/**
 * The settings area: a sub-nav over its sections, and the Preferences section (P2P, sensitive videos, video
 * languages, interface language), which visitors see too: their choices live in cookies.
 */
import type { Children } from "@kitajs/html";
import type { PageContext } from "../context.ts";
import { Layout } from "../layout.tsx";
import { Alert, Csrf } from "../components/form.tsx";
import { LOCALES, type Locale } from "../../src/i18n/i18n.ts";

export type SettingsSection = "preferences" | "profile" | "password" | "delete";

// Notification settings live with the notifications feature; they are listed here so people find them.
const SECTIONS: readonly { id: SettingsSection | "notifications"; href: string; key: `settings.nav.${SettingsSection | "notifications"}` }[] = [
  { id: "preferences", href: "/settings", key: "settings.nav.preferences" },
  { id: "profile", href: "/settings/profile", key: "settings.nav.profile" },
  { id: "password", href: "/settings/password", key: "settings.nav.password" },
  { id: "notifications", href: "/my/notifications/settings", key: "settings.nav.notifications" },
  { id: "delete", href: "/settings/delete", key: "settings.nav.delete" },
];

/** Each language named in itself, as in the footer's switcher. */
const LOCALE_NAMES: Readonly<Record<Locale, string>> = { en: "English", ja: "日本語" };

/** The page around one section: title, sub-nav (visitors only have Preferences), a notice. */
export function SettingsShell(p: { page: PageContext; section: SettingsSection; notice?: string; error?: string; children: Children }) {
  const t = p.page.t;
  const sections = p.page.viewer ? SECTIONS : SECTIONS.slice(0, 1);
  const current = SECTIONS.find((s) => s.id === p.section)!;
  return (
    <Layout page={p.page} title={`${t(current.key)} · ${t("settings.title")}`}>
      <div class="settings">
        <h1 safe>{t("settings.title")}</h1>
        <nav class="settings-nav" aria-label={t("settings.sections")}>
          {sections.map((s) => (
            <a href={s.href} aria-current={s.id === p.section ? "page" : undefined} safe>
              {t(s.key)}
            </a>
          ))}
        </nav>
        <div class="settings-body">
          <Alert message={p.notice} kind="info" />
          <Alert message={p.error} />
          {p.children as "safe"}
        </div>
      </div>
    </Layout>
  );
}

/**
 * The line a form shows after an htmx save: "Saved." or what went wrong (unless a field already says it);
 * announced to screen readers.
 */
export function FormStatus({ notice, error, errors }: { notice?: string; error?: string; errors?: Readonly<Record<string, string>> }) {
  if (error && !Object.values(errors ?? {}).includes(error)) {
    return (
      <p class="settings-status error" role="alert" safe>
        {error}
      </p>
    );
  }
  return (
    <p class="settings-status ok" role="status" safe>
      {notice ?? ""}
    </p>
  );
}

/** htmx attributes of a settings form: it posts in place and replaces itself with the server's answer. */
export function inPlace(action: string) {
  return { method: "post", action, "hx-post": action, "hx-target": "this", "hx-swap": "outerHTML", "data-settings-form": "" };
}

export interface PreferencesView {
  /** null: the instance default. */
  readonly p2p: "on" | "off" | null;
  readonly instanceP2P: "off" | "ask" | "on";
  readonly sensitivePolicy: "show" | "blur" | "hide";
  readonly videoLanguages: readonly string[];
  /** null: the browser's language. */
  readonly locale: Locale | null;
  /** Codes of the languages videos can be tagged with. */
  readonly languageCodes: readonly string[];
}

function Radio(p: { name: string; value: string; checked: boolean; label: string }) {
  return (
    <label class="choice">
      <input type="radio" name={p.name} value={p.value} checked={p.checked} /> <span safe>{p.label}</span>
    </label>
  );
}

/** The logged-in person's preferences: one form, saved in place. */
export function PreferencesForm(p: { page: PageContext; prefs: PreferencesView; notice?: string; error?: string }) {
  const { page, prefs } = p;
  const t = page.t;
  const names = new Intl.DisplayNames([page.locale], { type: "language" });
  return (
    <form {...inPlace("/settings/preferences")} class="form settings-form" data-failed={t("settings.failed")}>
      <Csrf token={page.csrfToken} />
      <fieldset class="card">
        <legend safe>{t("settings.p2p.title")}</legend>
        {prefs.instanceP2P === "off" ? (
          <p class="hint" safe>{t("settings.p2p.disabled")}</p>
        ) : (
          <>
            <p class="hint" safe>{t("settings.p2p.explain")}</p>
            <Radio name="p2p" value="on" checked={prefs.p2p === "on"} label={t("settings.p2p.on")} />
            <Radio name="p2p" value="off" checked={prefs.p2p === "off"} label={t("settings.p2p.off")} />
            <Radio name="p2p" value="default" checked={prefs.p2p === null} label={t(prefs.instanceP2P === "on" ? "settings.p2p.defaultOn" : "settings.p2p.defaultAsk")} />
            <p class="hint" safe>{t("settings.p2p.inProfile")}</p>
          </>
        )}
      </fieldset>
      <fieldset class="card">
        <legend safe>{t("settings.sensitive.title")}</legend>
        <p class="hint" safe>{t("settings.sensitive.hint")}</p>
        {(["show", "blur", "hide"] as const).map((v) => (
          <Radio name="sensitivePolicy" value={v} checked={prefs.sensitivePolicy === v} label={t(`settings.sensitive.${v}`)} />
        ))}
      </fieldset>
      <fieldset class="card">
        <legend safe>{t("settings.languages.title")}</legend>
        <p class="hint" safe>{t("settings.languages.hint")}</p>
        <div class="settings-languages">
          {prefs.languageCodes.map((code) => (
            <label class="choice">
              <input type="checkbox" name="videoLanguages" value={code} checked={prefs.videoLanguages.includes(code)} />{" "}
              <span safe>{names.of(code) ?? code}</span>
            </label>
          ))}
        </div>
      </fieldset>
      <LocaleFieldset page={page} locale={prefs.locale} />
      <div class="settings-actions">
        <button type="submit" class="button primary" safe>
          {t("common.save")}
        </button>
        {/* The choices have no room for messages beside them: the error is said here. */}
        <FormStatus notice={p.notice} error={p.error} />
      </div>
    </form>
  );
}

function LocaleFieldset({ page, locale }: { page: PageContext; locale: Locale | null }) {
  const t = page.t;
  return (
    <fieldset class="card">
      <legend safe>{t("settings.locale.title")}</legend>
      {LOCALES.map((code) => (
        <Radio name="locale" value={code} checked={locale === code} label={LOCALE_NAMES[code]} />
      ))}
      <Radio name="locale" value="auto" checked={locale === null} label={t("settings.locale.auto")} />
    </fieldset>
  );
}

/** A visitor's preferences: P2P and language go to cookies through their own endpoints; the rest needs an account. */
function VisitorPreferences({ page, prefs }: { page: PageContext; prefs: PreferencesView }) {
  const t = page.t;
  const p2p = prefs.p2p ?? (prefs.instanceP2P === "on" ? "on" : "off");
  return (
    <>
      <p class="muted">
        <span safe>{t("settings.loginForMore")}</span> <a href="/login?next=%2Fsettings" safe>{t("settings.login")}</a>
      </p>
      <section class="card">
        <h2 safe>{t("settings.p2p.title")}</h2>
        {prefs.instanceP2P === "off" ? (
          <p safe>{t("settings.p2p.disabled")}</p>
        ) : (
          <form method="post" action="/p2p/consent" class="form">
            <Csrf token={page.csrfToken} />
            <input type="hidden" name="next" value="/settings?saved=1" />
            <p safe>{t("settings.p2p.explain")}</p>
            <Radio name="choice" value="on" checked={p2p === "on"} label={t("settings.p2p.on")} />
            <Radio name="choice" value="off" checked={p2p === "off"} label={t("settings.p2p.off")} />
            <p class="hint" safe>{t("settings.p2p.inBrowser")}</p>
            <button type="submit" class="button primary" safe>
              {t("common.save")}
            </button>
          </form>
        )}
      </section>
      <form method="post" action="/settings/locale" class="form">
        <Csrf token={page.csrfToken} />
        <input type="hidden" name="next" value="/settings?saved=1" />
        <LocaleFieldset page={page} locale={prefs.locale} />
        <button type="submit" class="button primary" safe>
          {t("common.save")}
        </button>
      </form>
    </>
  );
}

export function PreferencesPage(p: { page: PageContext; prefs: PreferencesView; notice?: string; error?: string }) {
  return (
    <SettingsShell page={p.page} section="preferences" notice={p.notice}>
      {p.page.viewer ? (
        <PreferencesForm page={p.page} prefs={p.prefs} error={p.error} />
      ) : (
        <VisitorPreferences page={p.page} prefs={p.prefs} />
      )}
    </SettingsShell>
  );
}
