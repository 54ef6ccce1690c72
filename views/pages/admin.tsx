/** Administration: accounts waiting for approval. */
import type { PageContext } from "../context.ts";
import { Layout } from "../layout.tsx";
import { Alert, Csrf, PostButton } from "../components/form.tsx";
import { AdminNav } from "../components/admin-nav.tsx";
import { TableHead } from "../components/table-head.tsx";

export interface PendingUser {
  readonly id: number;
  readonly handle: string;
  readonly email: string;
  readonly createdAt: Date;
}

export function AdminUsersPage({ page, pending, notice }: { page: PageContext; pending: readonly PendingUser[]; notice?: string }) {
  const t = page.t;
  return (
    <Layout page={page} title={t("admin.title")}>
      <AdminNav page={page} current="/admin/users" />
      <h1 safe>{t("admin.pending.heading")}</h1>
      <Alert message={notice} kind="info" />
      {pending.length === 0 ? (
        <p class="muted" safe>
          {t("admin.pending.none")}
        </p>
      ) : (
        <table class="table">
          <TableHead headings={[t("admin.pending.username"), t("admin.pending.email"), t("admin.pending.registered"), ""]} />
          <tbody>
            {pending.map((u) => (
              <tr>
                <td safe>{u.handle}</td>
                <td safe>{u.email}</td>
                <td safe>{u.createdAt.toISOString().slice(0, 16).replace("T", " ")}</td>
                <td>
                  <PostButton action={`/admin/users/${u.id}/approve`} token={page.csrfToken} label={t("admin.pending.approve")} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Layout>
  );
}
