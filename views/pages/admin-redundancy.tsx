/** Administration: redundancy settings, our mirrors of other instances' videos, and mirroring by hand. */
import type { PageContext } from "../context.ts";
import { Layout } from "../layout.tsx";
import { Alert, Csrf, OneFieldForm, PostButton, Select } from "../components/form.tsx";
import { AdminNav } from "../components/admin-nav.tsx";
import { TableHead } from "../components/table-head.tsx";

export interface MirrorView {
  readonly id: number;
  readonly name: string;
  readonly href: string;
  readonly originHost: string;
  readonly size: string;
  readonly strategy: string;
  readonly createdAt: Date;
  readonly served: string;
}

/** The form's values, as the admin typed them or as in force. */
export interface RedundancyFormValues {
  readonly enabled: boolean;
  readonly acceptFrom: "nobody" | "anybody" | "followings";
  readonly maxItems: string;
  readonly strategies: readonly { readonly prefix: string; readonly label: string; readonly size: string; readonly lifetime: string }[];
  readonly recentlyAddedMinViews: string;
}

export interface AdminRedundancyProps {
  readonly page: PageContext;
  readonly values: RedundancyFormValues;
  readonly mirrors: readonly MirrorView[];
  /** Mirrors other instances keep of our videos. */
  readonly mirroredByOthers: number;
  readonly intervalText: string;
  readonly notice?: string;
  readonly errors?: readonly string[];
}

function NumberField({ name, label, value, step }: { name: string; label: string; value: string; step?: string }) {
  return (
    <div class="field">
      <label for={`f-${name}`} safe>
        {label}
      </label>
      <input id={`f-${name}`} name={name} type="number" min="0" step={step ?? "1"} value={value} required />
    </div>
  );
}

function SettingsForm({ page, values, intervalText }: { page: PageContext; values: RedundancyFormValues; intervalText: string }) {
  const t = page.t;
  return (
    <form method="post" action="/admin/redundancy/settings" class="card form">
      <Csrf token={page.csrfToken} />
      <h2 safe>{t("admin.redundancy.settings")}</h2>
      <div class="checks">
        <label>
          <input type="checkbox" name="enabled" checked={values.enabled} aria-describedby="f-enabled-hint" /> <span safe>{t("admin.redundancy.enabled")}</span>
        </label>
        <p class="hint" id="f-enabled-hint" safe>
          {intervalText}
        </p>
      </div>
      {values.strategies.map((s) => (
        <fieldset>
          <legend safe>{s.label}</legend>
          <NumberField name={`${s.prefix}Size`} label={t("admin.redundancy.size")} value={s.size} step="0.001" />
          <NumberField name={`${s.prefix}Lifetime`} label={t("admin.redundancy.lifetime")} value={s.lifetime} />
          {s.prefix === "recentlyAdded" ? <NumberField name="recentlyAddedMinViews" label={t("admin.redundancy.minViews")} value={values.recentlyAddedMinViews} /> : ""}
        </fieldset>
      ))}
      <NumberField name="maxItems" label={t("admin.redundancy.maxItems")} value={values.maxItems} />
      <Select
        name="acceptFrom"
        label={t("admin.redundancy.acceptFrom")}
        value={values.acceptFrom}
        options={(["nobody", "anybody", "followings"] as const).map((v) => [v, t(`admin.redundancy.accept.${v}`)])}
      />
      <button type="submit" class="button primary" safe>
        {t("common.save")}
      </button>
    </form>
  );
}

function MirrorTable({ page, mirrors }: { page: PageContext; mirrors: readonly MirrorView[] }) {
  const t = page.t;
  if (mirrors.length === 0) return <p class="muted" safe>{t("admin.redundancy.none")}</p>;
  return (
    <table class="table" id="mirrors">
      <TableHead headings={[...(["video", "size", "strategy", "age", "served"] as const).map((k) => t(`admin.redundancy.col.${k}`)), ""]} />
      <tbody>
        {mirrors.map((m) => (
          <tr>
            <td>
              <a href={m.href} safe>
                {m.name}
              </a>{" "}
              <span class="muted" safe>
                {m.originHost}
              </span>
            </td>
            <td safe>{m.size}</td>
            <td safe>{m.strategy}</td>
            <td safe>{page.i18n.age(m.createdAt, page.now)}</td>
            <td safe>{m.served}</td>
            <td>
              <PostButton action={`/admin/redundancy/mirrors/${m.id}/delete`} token={page.csrfToken} label={t("admin.redundancy.remove")} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function AdminRedundancyPage(p: AdminRedundancyProps) {
  const { page } = p;
  const t = page.t;
  return (
    <Layout page={page} title={t("admin.redundancy.title")}>
      <AdminNav page={page} current="/admin/redundancy" />
      <h1 safe>{t("admin.redundancy.heading")}</h1>
      <p class="muted" safe>
        {t("admin.redundancy.explain")}
      </p>
      <Alert message={p.notice} kind="info" />
      {(p.errors ?? []).map((e) => (
        <Alert message={e} />
      ))}
      <SettingsForm page={page} values={p.values} intervalText={p.intervalText} />
      <h2 safe>{t("admin.redundancy.mirrors")}</h2>
      <p class="muted" safe>
        {t("admin.redundancy.byOthers", { count: p.mirroredByOthers })}
      </p>
      <div class="row">
        <PostButton action="/admin/redundancy/run" token={page.csrfToken} label={t("admin.redundancy.runNow")} />
      </div>
      <OneFieldForm
        action="/admin/redundancy/mirrors"
        token={page.csrfToken}
        id="f-video"
        name="video"
        label={t("admin.redundancy.byHand")}
        button={t("admin.redundancy.mirror")}
        maxlength={500}
        placeholder="https://video.example/w/…"
      />
      <MirrorTable page={page} mirrors={p.mirrors} />
    </Layout>
  );
}
