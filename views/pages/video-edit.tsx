/** Editing a video's details, and deleting it, for its owner or an administrator. */
import type { PageContext } from "../context.ts";
import { Layout } from "../layout.tsx";
import { Alert, Csrf, Field, Select, TextArea } from "../components/form.tsx";
import { SLOT, aroundSlot } from "../format.ts";
import { detailOptions } from "./upload.tsx";

export interface EditableVideo {
  readonly shortId: string;
  readonly name: string;
  readonly description: string;
  readonly privacy: 1 | 2 | 3;
  readonly category: number | null;
  readonly language: string | null;
  readonly tags: readonly string[];
  readonly commentsEnabled: boolean;
  readonly downloadEnabled: boolean;
  readonly sensitive: boolean;
}

export function EditVideoPage(p: {
  page: PageContext;
  video: EditableVideo;
  categories: Readonly<Record<number, string>>;
  languages: Readonly<Record<string, string>>;
  errors?: Readonly<Record<string, string>>;
  error?: string;
  notice?: string;
}) {
  const v = p.video;
  const errors = p.errors ?? {};
  const t = p.page.t;
  const options = detailOptions(p.page, p.categories, p.languages);
  const [editBefore, editAfter] = aroundSlot(t("video.editTitle", { name: SLOT }));
  const privacy: [string, string][] = [
    ["1", t("common.public")],
    ["2", t("common.unlisted")],
    ["3", t("common.private")],
  ];
  return (
    <Layout page={p.page} title={t("video.editTitle", { name: v.name })}>
      <h1>
        <span safe>{editBefore}</span>
        <span safe>{v.name}</span>
        <span safe>{editAfter}</span>
      </h1>
      <p>
        <a href={`/w/${v.shortId}`} safe>
          {t("video.backToVideo")}
        </a>
      </p>
      <Alert message={p.notice} kind="info" />
      <Alert message={p.error} />
      <form method="post" action={`/w/${v.shortId}/edit`} class="card form" novalidate>
        <Csrf token={p.page.csrfToken} />
        <Field name="name" label={t("video.field.title")} value={v.name} error={errors.name} required maxlength={120} />
        <TextArea name="description" label={t("video.field.description")} value={v.description} error={errors.description} maxlength={10000} />
        <div class="field-row">
          <Select name="privacy" label={t("video.field.privacy")} value={String(v.privacy)} options={privacy} />
          <Select name="category" label={t("video.field.category")} value={String(v.category ?? "")} options={options.categories} />
          <Select name="language" label={t("video.field.language")} value={v.language ?? ""} options={options.languages} />
        </div>
        <Field
          name="tags"
          label={t("video.field.tags")}
          hint={t("video.field.tagsHint")}
          value={v.tags.join(", ")}
          error={errors.tags}
          maxlength={200}
        />
        <div class="checks">
          <label>
            <input type="checkbox" name="commentsEnabled" checked={v.commentsEnabled} /> <span safe>{t("video.field.comments")}</span>
          </label>
          <label>
            <input type="checkbox" name="downloadEnabled" checked={v.downloadEnabled} /> <span safe>{t("video.field.downloads")}</span>
          </label>
          <label>
            <input type="checkbox" name="nsfw" checked={v.sensitive} /> <span safe>{t("video.field.sensitive")}</span>
          </label>
        </div>
        <button type="submit" class="button primary" safe>
          {t("common.save")}
        </button>
      </form>
      <section class="card danger">
        <h2 safe>{t("video.delete.heading")}</h2>
        <p safe>{t("video.delete.text")}</p>
        <form
          method="post"
          action={`/w/${v.shortId}/delete`}
          x-data
          x-on:submit={`if (!confirm(${JSON.stringify(t("video.delete.confirm"))})) $event.preventDefault()`}
        >
          <Csrf token={p.page.csrfToken} />
          <button type="submit" class="button danger" safe>
            {t("video.delete.submit")}
          </button>
        </form>
      </section>
    </Layout>
  );
}
