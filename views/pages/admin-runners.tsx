/** Administration: remote transcoding runners, their registration tokens, and the jobs offered to them. */
import type { PageContext } from "../context.ts";
import { Layout } from "../layout.tsx";
import { Alert, PostButton } from "../components/form.tsx";
import { AdminNav } from "../components/admin-nav.tsx";
import { TableHead } from "../components/table-head.tsx";

export interface RunnerTokenView {
  readonly id: number;
  readonly token: string;
  readonly runners: number;
}

export interface RunnerView {
  readonly id: number;
  readonly name: string;
  readonly ip: string | null;
  readonly lastContact: Date;
}

export interface RunnerJobView {
  readonly uuid: string;
  readonly type: string;
  readonly state: string;
  readonly runnerName: string | null;
  readonly progress: number;
  readonly failures: number;
  readonly lastError: string | null;
  readonly open: boolean;
}

export interface AdminRunnersProps {
  readonly page: PageContext;
  readonly mode: string;
  readonly tokens: readonly RunnerTokenView[];
  readonly runners: readonly RunnerView[];
  readonly jobs: readonly RunnerJobView[];
  readonly notice?: string;
}

const when = (d: Date) => d.toISOString().slice(0, 19).replace("T", " ");

function TokensTable({ page, tokens }: { page: PageContext; tokens: readonly RunnerTokenView[] }) {
  const t = page.t;
  if (!tokens.length) return <p class="muted" safe>{t("admin.runners.noTokens")}</p>;
  return (
    <table class="table">
      <TableHead headings={[t("admin.runners.token"), t("admin.runners.registered"), ""]} />
      <tbody>
        {tokens.map((tk) => (
          <tr>
            <td>
              <code safe>{tk.token}</code>
            </td>
            <td safe>{String(tk.runners)}</td>
            <td>
              <PostButton token={page.csrfToken} action={`/admin/runners/tokens/${tk.id}/delete`} label={t("common.delete")} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function RunnersTable({ page, runners }: { page: PageContext; runners: readonly RunnerView[] }) {
  const t = page.t;
  if (!runners.length) return <p class="muted" safe>{t("admin.runners.noRunners")}</p>;
  return (
    <table class="table">
      <TableHead headings={[t("admin.runners.name"), t("admin.runners.address"), t("admin.runners.lastContact"), ""]} />
      <tbody>
        {runners.map((r) => (
          <tr>
            <td safe>{r.name}</td>
            <td safe>{r.ip ?? ""}</td>
            <td safe>{when(r.lastContact)}</td>
            <td>
              <PostButton token={page.csrfToken} action={`/admin/runners/${r.id}/delete`} label={t("admin.runners.unregister")} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function JobsTable({ page, jobs }: { page: PageContext; jobs: readonly RunnerJobView[] }) {
  const t = page.t;
  if (!jobs.length) return <p class="muted" safe>{t("admin.runners.noJobs")}</p>;
  return (
    <table class="table">
      <TableHead headings={[t("admin.runners.job"), t("admin.runners.state"), t("admin.runners.runner"), t("admin.runners.failures"), ""]} />
      <tbody>
        {jobs.map((j) => (
          <tr>
            <td>
              <code safe>{j.uuid.slice(0, 8)}</code> <span class="muted" safe>{j.type}</span>
            </td>
            <td>
              <span safe>{j.state}</span>
              {j.state === "processing" ? <span class="muted" safe>{` ${j.progress}%`}</span> : ""}
            </td>
            <td safe>{j.runnerName ?? ""}</td>
            <td>
              <span safe>{String(j.failures)}</span>
              {j.lastError ? <div class="muted" safe>{j.lastError}</div> : ""}
            </td>
            <td>
              {j.open ? <PostButton token={page.csrfToken} action={`/admin/runners/jobs/${j.uuid}/cancel`} label={t("common.cancel")} /> : ""}
              <PostButton token={page.csrfToken} action={`/admin/runners/jobs/${j.uuid}/delete`} label={t("common.delete")} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function AdminRunnersPage({ page, mode, tokens, runners, jobs, notice }: AdminRunnersProps) {
  const t = page.t;
  return (
    <Layout page={page} title={t("admin.runners.title")}>
      <AdminNav page={page} current="/admin/runners" />
      <h1 safe>{t("admin.runners.title")}</h1>
      <p class="muted" safe>{t("admin.runners.explain", { mode })}</p>
      <Alert message={notice} kind="info" />
      <h2 safe>{t("admin.runners.tokens")}</h2>
      <PostButton token={page.csrfToken} action="/admin/runners/tokens" label={t("admin.runners.generate")} />
      <TokensTable page={page} tokens={tokens} />
      <h2 safe>{t("admin.runners.runners")}</h2>
      <RunnersTable page={page} runners={runners} />
      <h2 safe>{t("admin.runners.jobs")}</h2>
      <JobsTable page={page} jobs={jobs} />
    </Layout>
  );
}
