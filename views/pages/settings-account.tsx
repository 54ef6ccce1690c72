/** Settings sections of a logged-in account: profile and avatar, password, deleting the account. */
import type { PageContext } from "../context.ts";
import { Layout } from "../layout.tsx";
import { Avatar } from "../components/avatar.tsx";
import { Csrf, Field, TextArea } from "../components/form.tsx";
import { FormStatus, SettingsShell, inPlace } from "./settings.tsx";

type Errors = Readonly<Record<string, string>>;

export interface ProfileView {
  readonly handle: string;
  readonly displayName: string;
  readonly description: string;
  readonly avatarUrl: string | null;
}

/** Display name and bio, saved in place. */
export function ProfileForm(p: { page: PageContext; values: { displayName: string; description: string }; notice?: string; error?: string; errors?: Errors }) {
  const t = p.page.t;
  const errors = p.errors ?? {};
  return (
    <form {...inPlace("/settings/profile")} class="form settings-form" novalidate data-failed={t("settings.failed")}>
      <Csrf token={p.page.csrfToken} />
      <Field name="displayName" label={t("settings.profile.displayName")} value={p.values.displayName} error={errors.displayName} required maxlength={120} />
      <TextArea
        name="description"
        label={t("settings.profile.description")}
        hint={t("settings.profile.descriptionHint", { max: 1000 })}
        value={p.values.description}
        error={errors.description}
        maxlength={1000}
      />
      <div class="settings-actions">
        <button type="submit" class="button primary" safe>
          {t("common.save")}
        </button>
        <FormStatus notice={p.notice} error={p.error} errors={p.errors} />
      </div>
    </form>
  );
}

export function ProfilePage(p: {
  page: PageContext;
  profile: ProfileView;
  avatarLimit: string;
  values?: { displayName: string; description: string };
  notice?: string;
  error?: string;
  errors?: Errors;
}) {
  const t = p.page.t;
  return (
    <SettingsShell page={p.page} section="profile" notice={p.notice}>
      <section class="card">
        <h2 safe>{t("settings.profile.title")}</h2>
        <p>
          <a href={`/a/${p.profile.handle}`} safe>
            {t("settings.profile.view")}
          </a>
        </p>
        <ProfileForm page={p.page} values={p.values ?? p.profile} error={p.error} errors={p.errors} />
      </section>
      <section class="card">
        <h2 safe>{t("settings.avatar.title")}</h2>
        <div class="avatar-row">
          <Avatar url={p.profile.avatarUrl} name={p.profile.displayName} size={96} />
          <form method="post" action="/settings/avatar" enctype="multipart/form-data" class="form">
            <Csrf token={p.page.csrfToken} />
            <div class="field">
              <label for="f-avatarfile" safe>
                {t("settings.avatar.image")}
              </label>
              <p class="hint" safe>
                {t("settings.avatar.hint", { size: p.avatarLimit })}
              </p>
              <input id="f-avatarfile" type="file" name="avatarfile" accept="image/png,image/jpeg,image/webp,image/gif" required />
            </div>
            <button type="submit" class="button" safe>
              {t("settings.avatar.upload")}
            </button>
          </form>
          {p.profile.avatarUrl ? (
            <form method="post" action="/settings/avatar/delete" class="inline">
              <Csrf token={p.page.csrfToken} />
              <button type="submit" class="link settings-remove" safe>
                {t("settings.avatar.remove")}
              </button>
            </form>
          ) : (
            ""
          )}
        </div>
      </section>
    </SettingsShell>
  );
}

/** Current password and the new one twice; saved in place, the fields always come back empty. */
export function PasswordForm(p: { page: PageContext; handle: string; notice?: string; error?: string; errors?: Errors }) {
  const t = p.page.t;
  const errors = p.errors ?? {};
  return (
    <form {...inPlace("/settings/password")} class="form settings-form" novalidate data-failed={t("settings.failed")}>
      <Csrf token={p.page.csrfToken} />
      {/* Lets password managers file the new password under the right account. */}
      <input type="text" name="username" value={p.handle} autocomplete="username" hidden />
      <Field name="currentPassword" type="password" label={t("settings.password.current")} error={errors.currentPassword} required autocomplete="current-password" />
      <Field name="password" type="password" label={t("settings.password.new")} hint={t("settings.password.newHint")} error={errors.password} required autocomplete="new-password" />
      <Field name="passwordConfirm" type="password" label={t("settings.password.confirm")} error={errors.passwordConfirm} required autocomplete="new-password" />
      <div class="settings-actions">
        <button type="submit" class="button primary" safe>
          {t("settings.password.submit")}
        </button>
        <FormStatus notice={p.notice} error={p.error} errors={p.errors} />
      </div>
    </form>
  );
}

export function PasswordPage(p: { page: PageContext; handle: string; notice?: string; error?: string; errors?: Errors }) {
  return (
    <SettingsShell page={p.page} section="password" notice={p.notice}>
      <section class="card">
        <h2 safe>{p.page.t("settings.password.title")}</h2>
        <PasswordForm page={p.page} handle={p.handle} error={p.error} errors={p.errors} />
      </section>
    </SettingsShell>
  );
}

/** A plain form on purpose: after it, the person is logged out and sent away, so there is nothing to update in place. */
export function DeleteAccountPage(p: { page: PageContext; handle: string; videoCount: number; lastAdmin: boolean; error?: string; errors?: Errors }) {
  const t = p.page.t;
  const errors = p.errors ?? {};
  return (
    <SettingsShell page={p.page} section="delete" error={p.error}>
      <section class="card danger">
        <h2 safe>{t("settings.delete.title")}</h2>
        <p safe>{t("settings.delete.warning")}</p>
        <p class="muted" safe>
          {t("settings.delete.summary", { count: p.videoCount })}
        </p>
        {p.lastAdmin ? (
          <p class="error" safe>{t("settings.delete.lastAdmin")}</p>
        ) : (
          <form method="post" action="/settings/delete" class="form" novalidate>
            <Csrf token={p.page.csrfToken} />
            <Field name="username" label={t("settings.delete.username", { handle: p.handle })} error={errors.username} required autocomplete="off" />
            <Field name="password" type="password" label={t("settings.delete.password")} error={errors.password} required autocomplete="current-password" />
            <button type="submit" class="button danger" safe>
              {t("settings.delete.submit")}
            </button>
          </form>
        )}
      </section>
    </SettingsShell>
  );
}

export function AccountDeletedPage({ page }: { page: PageContext }) {
  const t = page.t;
  return (
    <Layout page={page} title={t("settings.deleted.title")}>
      <section class="card narrow">
        <h1 safe>{t("settings.deleted.title")}</h1>
        <p safe>{t("settings.deleted.body")}</p>
        <a class="button" href="/" safe>
          {t("settings.deleted.home")}
        </a>
      </section>
    </Layout>
  );
}
