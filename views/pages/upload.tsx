/** The upload page: file, details, a real progress bar, then the processing status pushed over SSE. */
import type { PageContext } from "../context.ts";
import { Layout } from "../layout.tsx";
import { Field, Select, TextArea } from "../components/form.tsx";

const PRIVACY_OPTIONS: [string, string][] = [
  ["1", "Public"],
  ["2", "Unlisted (only people with the link)"],
  ["3", "Private (only you)"],
];

export interface UploadPageProps {
  readonly page: PageContext;
  readonly channels: readonly { id: number; displayName: string; handle: string }[];
  readonly categories: Readonly<Record<number, string>>;
  readonly languages: Readonly<Record<string, string>>;
  readonly maxUploadBytes: number;
  readonly limitText: string;
}

export function UploadPage(p: UploadPageProps) {
  return (
    <Layout page={p.page} title="Upload a video" scripts={[p.page.assets.uploadJs]}>
      <h1>Upload a video</h1>
      <form id="upload-form" class="card form upload" data-max-bytes={String(p.maxUploadBytes)} novalidate>
        <div class="field drop" id="drop">
          <label for="f-file">Video or audio file</label>
          <p class="hint" safe>{`Drop a file here or choose one. ${p.limitText}`}</p>
          <input id="f-file" name="file" type="file" accept="video/*,audio/*,.mkv,.mov,.mp4,.webm" required aria-describedby="f-file-error" />
          <p class="error" id="f-file-error" role="alert"></p>
        </div>
        <Field name="name" label="Title" required maxlength={120} />
        <TextArea name="description" label="Description" hint="Markdown: **bold**, *italic*, [links](https://…)." maxlength={10000} />
        <Select name="channelId" label="Channel" value="" options={p.channels.map((c) => [String(c.id), c.displayName])} />
        <div class="field-row">
          <Select name="privacy" label="Privacy" value="1" options={PRIVACY_OPTIONS} />
          <Select name="category" label="Category" value="" options={[["", "None"], ...Object.entries(p.categories)]} />
          <Select name="language" label="Language" value="" options={[["", "Unknown"], ...Object.entries(p.languages)]} />
        </div>
        <Field name="tags" label="Tags" hint="Up to 5, separated by commas." maxlength={200} />
        <div class="checks">
          <label>
            <input type="checkbox" name="commentsEnabled" checked /> Allow comments
          </label>
          <label>
            <input type="checkbox" name="downloadEnabled" checked /> Allow downloads
          </label>
        </div>
        <p class="error" id="upload-error" role="alert"></p>
        <button type="submit" class="button primary" id="upload-button">
          Upload
        </button>
        <div class="upload-progress" id="upload-progress" hidden>
          <progress id="upload-bar" max="100" value="0"></progress>
          <p id="upload-status" aria-live="polite"></p>
          <button type="button" class="button" id="upload-cancel">
            Cancel
          </button>
        </div>
      </form>
    </Layout>
  );
}
