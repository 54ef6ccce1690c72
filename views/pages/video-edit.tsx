/** Editing a video's details, and deleting it, for its owner or an administrator. */
import type { PageContext } from "../context.ts";
import { Layout } from "../layout.tsx";
import { Alert, Csrf, Field, Select, TextArea } from "../components/form.tsx";

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
  return (
    <Layout page={p.page} title={`Edit ${v.name}`}>
      <h1>
        Edit <span safe>{v.name}</span>
      </h1>
      <p>
        <a href={`/w/${v.shortId}`}>Back to the video</a>
      </p>
      <Alert message={p.notice} kind="info" />
      <Alert message={p.error} />
      <form method="post" action={`/w/${v.shortId}/edit`} class="card form" novalidate>
        <Csrf token={p.page.csrfToken} />
        <Field name="name" label="Title" value={v.name} error={errors.name} required maxlength={120} />
        <TextArea name="description" label="Description" value={v.description} error={errors.description} maxlength={10000} />
        <div class="field-row">
          <Select name="privacy" label="Privacy" value={String(v.privacy)} options={[["1", "Public"], ["2", "Unlisted"], ["3", "Private"]]} />
          <Select name="category" label="Category" value={String(v.category ?? "")} options={[["", "None"], ...Object.entries(p.categories)]} />
          <Select name="language" label="Language" value={v.language ?? ""} options={[["", "Unknown"], ...Object.entries(p.languages)]} />
        </div>
        <Field name="tags" label="Tags" hint="Up to 5, separated by commas." value={v.tags.join(", ")} error={errors.tags} maxlength={200} />
        <div class="checks">
          <label>
            <input type="checkbox" name="commentsEnabled" checked={v.commentsEnabled} /> Allow comments
          </label>
          <label>
            <input type="checkbox" name="downloadEnabled" checked={v.downloadEnabled} /> Allow downloads
          </label>
        </div>
        <button type="submit" class="button primary">
          Save
        </button>
      </form>
      <section class="card danger">
        <h2>Delete this video</h2>
        <p>The video and all its files are removed for good.</p>
        <form method="post" action={`/w/${v.shortId}/delete`} x-data x-on:submit="if (!confirm('Delete this video for good?')) $event.preventDefault()">
          <Csrf token={p.page.csrfToken} />
          <button type="submit" class="button danger">
            Delete video
          </button>
        </form>
      </section>
    </Layout>
  );
}
