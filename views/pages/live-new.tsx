/** Creating a live: title, channel, privacy, replay, permanence and latency; then the watch page shows the key. */
import type { PageContext } from "../context.ts";
import { Layout } from "../layout.tsx";
import { Alert, Csrf, Field, Select, TextArea } from "../components/form.tsx";

export interface LiveNewValues {
  readonly name: string;
  readonly description: string;
  readonly channelId: string;
  readonly privacy: string;
  readonly saveReplay: boolean;
  readonly permanentLive: boolean;
  readonly latencyMode: "normal" | "low";
}

/** The form as first shown: public, normal latency, no replay, not permanent. */
export const EMPTY_LIVE_FORM: LiveNewValues = {
  name: "",
  description: "",
  channelId: "",
  privacy: "1",
  saveReplay: false,
  permanentLive: false,
  latencyMode: "normal",
};

export interface LiveNewPageProps {
  readonly page: PageContext;
  readonly channels: readonly { id: number; displayName: string }[];
  /** false: lives are turned off on this instance; the page says so instead of showing the form. */
  readonly enabled: boolean;
  readonly values?: LiveNewValues;
  readonly errors?: Readonly<Record<string, string>>;
  readonly error?: string;
}

/** The "go live" form, or a notice when lives are turned off. */
export function LiveNewPage(p: LiveNewPageProps) {
  const t = p.page.t;
  const v = p.values ?? EMPTY_LIVE_FORM;
  const errors = p.errors ?? {};
  const privacy: [string, string][] = [
    ["1", t("common.public")],
    ["2", t("upload.privacy.unlisted")],
    ["3", t("upload.privacy.private")],
  ];
  if (!p.enabled) {
    return (
      <Layout page={p.page} title={t("live.new.title")}>
        <h1 safe>{t("live.new.title")}</h1>
        <Alert message={t("live.new.disabled")} kind="info" />
      </Layout>
    );
  }
  return (
    <Layout page={p.page} title={t("live.new.title")}>
      <h1 safe>{t("live.new.title")}</h1>
      <p class="muted" safe>
        {t("live.new.intro")}
      </p>
      <form method="post" action="/videos/live/new" class="card form live-new" novalidate>
        <Csrf token={p.page.csrfToken} />
        <Alert message={p.error} />
        <Field name="name" label={t("video.field.title")} value={v.name} error={errors.name} required maxlength={120} />
        <TextArea name="description" label={t("video.field.description")} value={v.description} error={errors.description} hint={t("video.field.descriptionHint")} maxlength={10000} />
        <Select name="channelId" label={t("video.field.channel")} value={v.channelId} options={p.channels.map((c) => [String(c.id), c.displayName])} />
        {errors.channelId ? <p class="error" role="alert" safe>{errors.channelId}</p> : ""}
        <Select name="privacy" label={t("video.field.privacy")} value={v.privacy} options={privacy} />
        <div class="checks">
          <label>
            <input type="checkbox" name="saveReplay" checked={v.saveReplay} aria-describedby="f-saveReplay-hint" />{" "}
            <span safe>{t("live.field.saveReplay")}</span>
          </label>
          <p class="hint" id="f-saveReplay-hint" safe>
            {t("live.field.saveReplayHint")}
          </p>
          <label>
            <input type="checkbox" name="permanentLive" checked={v.permanentLive} aria-describedby="f-permanentLive-hint" />{" "}
            <span safe>{t("live.field.permanent")}</span>
          </label>
          <p class="hint" id="f-permanentLive-hint" safe>
            {t("live.field.permanentHint")}
          </p>
        </div>
        <fieldset class="field live-latency">
          <legend safe>{t("live.field.latency")}</legend>
          <label>
            <input type="radio" name="latencyMode" value="normal" checked={v.latencyMode !== "low"} /> <span safe>{t("live.latency.normal")}</span>
          </label>
          <p class="hint" safe>
            {t("live.latency.normalHint")}
          </p>
          <label>
            <input type="radio" name="latencyMode" value="low" checked={v.latencyMode === "low"} /> <span safe>{t("live.latency.low")}</span>
          </label>
          <p class="hint" safe>
            {t("live.latency.lowHint")}
          </p>
          {errors.latencyMode ? <p class="error" role="alert" safe>{errors.latencyMode}</p> : ""}
        </fieldset>
        <button type="submit" class="button primary" safe>
          {t("live.new.submit")}
        </button>
      </form>
    </Layout>
  );
}
