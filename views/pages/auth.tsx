/** Log-in and registration pages. */
import type { PageContext } from "../context.ts";
import { Layout } from "../layout.tsx";
import { Alert, Csrf, Field } from "../components/form.tsx";

export interface LoginProps {
  readonly page: PageContext;
  readonly next: string;
  readonly login?: string;
  readonly error?: string;
  readonly notice?: string;
}

export function LoginPage({ page, next, login, error, notice }: LoginProps) {
  const t = page.t;
  return (
    <Layout page={page} title={t("auth.login.title")}>
      <section class="card narrow">
        <h1 safe>{t("auth.login.title")}</h1>
        <Alert message={notice} kind="info" />
        <Alert message={error} />
        <form method="post" action="/login" class="form">
          <Csrf token={page.csrfToken} />
          <input type="hidden" name="next" value={next} />
          <Field name="login" label={t("auth.login.login")} value={login} required autocomplete="username" maxlength={254} />
          <Field name="password" label={t("auth.password")} type="password" required autocomplete="current-password" maxlength={200} />
          <button type="submit" class="button primary" safe>
            {t("auth.login.submit")}
          </button>
        </form>
        <p class="muted">
          <span safe>{t("auth.login.newHere")}</span>{" "}
          <a href="/register" safe>
            {t("auth.login.createAccount")}
          </a>
        </p>
      </section>
    </Layout>
  );
}

export interface RegisterProps {
  readonly page: PageContext;
  readonly signup: "open" | "closed" | "approval";
  readonly values?: { username?: string; email?: string; displayName?: string };
  readonly errors?: Readonly<Record<string, string>>;
  readonly error?: string;
}

export function RegisterPage({ page, signup, values = {}, errors = {}, error }: RegisterProps) {
  const t = page.t;
  return (
    <Layout page={page} title={t("auth.register.title")}>
      <section class="card narrow">
        <h1 safe>{t("auth.register.title")}</h1>
        {signup === "closed" ? (
          <Alert message={t("auth.register.closed")} />
        ) : (
          <>
            {signup === "approval" ? <Alert kind="info" message={t("auth.register.approval")} /> : ""}
            <Alert message={error} />
            <form method="post" action="/register" class="form" novalidate>
              <Csrf token={page.csrfToken} />
              <Field
                name="username"
                label={t("auth.register.username")}
                hint={t("auth.register.usernameHint")}
                value={values.username}
                error={errors.username}
                required
                maxlength={42}
                autocomplete="username"
                checkUrl="/handles/check?field=username"
              />
              <Field
                name="displayName"
                label={t("auth.register.displayName")}
                value={values.displayName}
                error={errors.displayName}
                maxlength={120}
              />
              <Field
                name="email"
                label={t("auth.register.email")}
                type="email"
                value={values.email}
                error={errors.email}
                required
                maxlength={254}
                autocomplete="email"
              />
              <Field
                name="password"
                label={t("auth.password")}
                type="password"
                hint={t("auth.register.passwordHint")}
                error={errors.password}
                required
                maxlength={200}
                autocomplete="new-password"
              />
              <button type="submit" class="button primary" safe>
                {t("auth.register.submit")}
              </button>
            </form>
          </>
        )}
        <p class="muted">
          <span safe>{t("auth.register.haveAccount")}</span>{" "}
          <a href="/login" safe>
            {t("auth.login.title")}
          </a>
        </p>
      </section>
    </Layout>
  );
}

export function RegisteredPendingPage({ page }: { page: PageContext }) {
  const t = page.t;
  return (
    <Layout page={page} title={t("auth.pending.title")}>
      <section class="card narrow">
        <h1 safe>{t("auth.pending.heading")}</h1>
        <p safe>{t("auth.pending.text")}</p>
      </section>
    </Layout>
  );
}
