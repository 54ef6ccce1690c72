/** Administration: the federation blocklist (servers and remote accounts this instance refuses to talk to). */
import type { PageContext } from "../context.ts";
import { Layout } from "../layout.tsx";
import { Alert, OneFieldForm, PostButton } from "../components/form.tsx";
import { AdminNav } from "../components/admin-nav.tsx";
import { TableHead } from "../components/table-head.tsx";

export interface BlockView {
  readonly id: number;
  /** The server's host, or the account as name@host. */
  readonly label: string;
  readonly kind: "domain" | "account";
  readonly createdAt: Date;
}

export function AdminFederationPage({ page, blocks, notice, error }: { page: PageContext; blocks: readonly BlockView[]; notice?: string; error?: string }) {
  const t = page.t;
  return (
    <Layout page={page} title={t("admin.federation.title")}>
      <AdminNav page={page} current="/admin/federation" />
      <h1 safe>{t("admin.federation.heading")}</h1>
      <p class="muted" safe>
        {t("admin.federation.explain")}
      </p>
      <Alert message={notice} kind="info" />
      <Alert message={error} />
      <OneFieldForm
        action="/admin/federation/blocks"
        token={page.csrfToken}
        id="block-target"
        name="target"
        label={t("admin.federation.target")}
        button={t("admin.federation.block")}
        maxlength={300}
        placeholder="spam.example, @name@spam.example"
      />
      {blocks.length === 0 ? (
        <p class="muted" safe>
          {t("admin.federation.none")}
        </p>
      ) : (
        <table class="table">
          <TableHead headings={[t("admin.federation.blocked"), t("admin.federation.since"), ""]} />
          <tbody>
            {blocks.map((b) => (
              <tr>
                <td>
                  <span safe>{b.label}</span>{" "}
                  <span class="muted" safe>
                    {t(b.kind === "domain" ? "admin.federation.kindDomain" : "admin.federation.kindAccount")}
                  </span>
                </td>
                <td safe>{b.createdAt.toISOString().slice(0, 16).replace("T", " ")}</td>
                <td>
                  <PostButton action={`/admin/federation/blocks/${b.id}/delete`} token={page.csrfToken} label={t("admin.federation.unblock")} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Layout>
  );
}
