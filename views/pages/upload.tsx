/** The upload page: file, details, a real progress bar, then the processing status pushed over SSE. */
import type { MessageKey } from "../../src/i18n/i18n.ts";
import type { PageContext } from "../context.ts";
import { Layout } from "../layout.tsx";
import { Field, Select, TextArea } from "../components/form.tsx";
import { languageName } from "../format.ts";

export interface UploadPageProps {
  readonly page: PageContext;
  readonly channels: readonly { id: number; displayName: string; handle: string }[];
  readonly categories: Readonly<Record<number, string>>;
  readonly languages: Readonly<Record<string, string>>;
  readonly maxUploadBytes: number;
  readonly limitText: string;
}

/** Category and language choices in the page's language; the English labels are the fallback. */
export function detailOptions(page: PageContext, categories: Readonly<Record<number, string>>, languages: Readonly<Record<string, string>>) {
  return {
    categories: [
      ["", page.t("video.category.none")],
      // Every category id has a `video.category.<id>` key (checked by test/unit/i18n.test.ts).
      ...Object.keys(categories).map((id): [string, string] => [id, page.t(`video.category.${id}` as MessageKey)]),
    ] as [string, string][],
    languages: [
      ["", page.t("video.language.unknown")],
      ...Object.entries(languages).map(([code, english]): [string, string] => [code, languageName(code, page.locale, english)]),
    ] as [string, string][],
  };
}

/** The texts public/upload.js shows while uploading and processing, with their {placeholders} left for it to fill. */
export function uploadMessages(page: PageContext): string {
  const keys: Record<string, MessageKey> = {
    starting: "upload.starting",
    progress: "upload.progress",
    complete: "upload.complete",
    cancelled: "upload.cancelled",
    watchIt: "upload.watchIt",
    chooseFile: "upload.chooseFile",
    tooLarge: "upload.tooLarge",
    connectionFailing: "upload.connectionFailing",
    serverAnswered: "upload.serverAnswered",
    queued: "watch.state.queued",
    transcoding: "watch.state.transcoding",
    published: "watch.state.published",
    failed: "watch.state.failedReason",
    unknownReason: "watch.state.unknownReason",
  };
  return JSON.stringify(Object.fromEntries(Object.entries(keys).map(([name, key]) => [name, page.t(key)])));
}

export function UploadPage(p: UploadPageProps) {
  const t = p.page.t;
  const options = detailOptions(p.page, p.categories, p.languages);
  const privacy: [string, string][] = [
    ["1", t("common.public")],
    ["2", t("upload.privacy.unlisted")],
    ["3", t("upload.privacy.private")],
  ];
  return (
    <Layout page={p.page} title={t("upload.title")} scripts={[p.page.assets.uploadJs]}>
      <h1 safe>{t("upload.title")}</h1>
      <form id="upload-form" class="card form upload" data-max-bytes={String(p.maxUploadBytes)} data-messages={uploadMessages(p.page)} novalidate>
        <div class="field drop" id="drop">
          <label for="f-file" safe>
            {t("upload.file")}
          </label>
          <p class="hint" safe>
            {t("upload.dropHint", { limit: p.limitText })}
          </p>
          <input id="f-file" name="file" type="file" accept="video/*,audio/*,.mkv,.mov,.mp4,.webm" required aria-describedby="f-file-error" />
          <p class="error" id="f-file-error" role="alert"></p>
        </div>
        <Field name="name" label={t("video.field.title")} required maxlength={120} />
        <TextArea name="description" label={t("video.field.description")} hint={t("video.field.descriptionHint")} maxlength={10000} />
        <Select name="channelId" label={t("video.field.channel")} value="" options={p.channels.map((c) => [String(c.id), c.displayName])} />
        <div class="field-row">
          <Select name="privacy" label={t("video.field.privacy")} value="1" options={privacy} />
          <Select name="category" label={t("video.field.category")} value="" options={options.categories} />
          <Select name="language" label={t("video.field.language")} value="" options={options.languages} />
        </div>
        <Field name="tags" label={t("video.field.tags")} hint={t("video.field.tagsHint")} maxlength={200} />
        <div class="checks">
          <label>
            <input type="checkbox" name="commentsEnabled" checked /> <span safe>{t("video.field.comments")}</span>
          </label>
          <label>
            <input type="checkbox" name="downloadEnabled" checked /> <span safe>{t("video.field.downloads")}</span>
          </label>
          <label>
            <input type="checkbox" name="nsfw" /> <span safe>{t("video.field.sensitive")}</span>
          </label>
        </div>
        <p class="error" id="upload-error" role="alert"></p>
        <button type="submit" class="button primary" id="upload-button" safe>
          {t("upload.submit")}
        </button>
        <div class="upload-progress" id="upload-progress" hidden>
          <progress id="upload-bar" max="100" value="0"></progress>
          <p id="upload-status" aria-live="polite"></p>
          <button type="button" class="button" id="upload-cancel" safe>
            {t("common.cancel")}
          </button>
        </div>
      </form>
    </Layout>
  );
}
