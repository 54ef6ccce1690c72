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
  return (
    <Layout page={page} title="Log in">
      <section class="card narrow">
        <h1>Log in</h1>
        <Alert message={notice} kind="info" />
        <Alert message={error} />
        <form method="post" action="/login" class="form">
          <Csrf token={page.csrfToken} />
          <input type="hidden" name="next" value={next} />
          <Field name="login" label="Username or e-mail" value={login} required autocomplete="username" maxlength={254} />
          <Field name="password" label="Password" type="password" required autocomplete="current-password" maxlength={200} />
          <button type="submit" class="button primary">
            Log in
          </button>
        </form>
        <p class="muted">
          New here? <a href="/register">Create an account</a>
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
  return (
    <Layout page={page} title="Create an account">
      <section class="card narrow">
        <h1>Create an account</h1>
        {signup === "closed" ? (
          <Alert message="Registration is closed on this instance." />
        ) : (
          <>
            {signup === "approval" ? <Alert kind="info" message="An administrator approves new accounts before they can log in." /> : ""}
            <Alert message={error} />
            <form method="post" action="/register" class="form" novalidate>
              <Csrf token={page.csrfToken} />
              <Field
                name="username"
                label="Username"
                hint="Lower-case letters, digits, dots and underscores. Others will find you as @username."
                value={values.username}
                error={errors.username}
                required
                maxlength={42}
                autocomplete="username"
                checkUrl="/handles/check?field=username"
              />
              <Field name="displayName" label="Display name (optional)" value={values.displayName} error={errors.displayName} maxlength={120} />
              <Field name="email" label="E-mail" type="email" value={values.email} error={errors.email} required maxlength={254} autocomplete="email" />
              <Field
                name="password"
                label="Password"
                type="password"
                hint="At least 8 characters."
                error={errors.password}
                required
                maxlength={200}
                autocomplete="new-password"
              />
              <button type="submit" class="button primary">
                Create account
              </button>
            </form>
          </>
        )}
        <p class="muted">
          Already have an account? <a href="/login">Log in</a>
        </p>
      </section>
    </Layout>
  );
}

export function RegisteredPendingPage({ page }: { page: PageContext }) {
  return (
    <Layout page={page} title="Account created">
      <section class="card narrow">
        <h1>Almost there</h1>
        <p>Your account was created. An administrator will approve it; you can log in after that.</p>
      </section>
    </Layout>
  );
}
