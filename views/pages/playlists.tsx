/** The owner's playlists with the create form, and the edit form of one playlist. */
import type { PageContext } from "../context.ts";
import { Layout } from "../layout.tsx";
import { Alert, Csrf, Field, FieldError, TextArea } from "../components/form.tsx";

export interface PlaylistCardView {
  readonly shortId: string;
  /** Already in the reader's language for Watch later. */
  readonly name: string;
  readonly privacy: 1 | 2 | 3;
  readonly isWatchLater: boolean;
  readonly videosLength: number;
  readonly thumbnailUrl: string | null;
  readonly updatedAt: Date;
}

/** What the form shows: the values as typed, so a refused form comes back filled in. */
export interface PlaylistFormValues {
  readonly name: string;
  readonly description: string;
  readonly privacy: string;
  readonly channelId: string;
}

export interface PlaylistFormProps {
  readonly page: PageContext;
  readonly action: string;
  readonly values: PlaylistFormValues;
  readonly errors?: Readonly<Record<string, string>>;
  readonly channels: readonly { readonly id: number; readonly displayName: string }[];
  readonly submitLabel: string;
}

export const EMPTY_PLAYLIST_FORM: PlaylistFormValues = { name: "", description: "", privacy: "3", channelId: "" };

export function privacyText(page: PageContext, privacy: 1 | 2 | 3): string {
  return privacy === 1 ? page.t("common.public") : privacy === 2 ? page.t("common.unlisted") : page.t("common.private");
}

export function PlaylistForm({ page, action, values, errors = {}, channels, submitLabel }: PlaylistFormProps) {
  const t = page.t;
  return (
    <form method="post" action={action} class="form playlist-form">
      <Csrf token={page.csrfToken} />
      <Field name="name" label={t("playlists.name")} value={values.name} error={errors.name} required maxlength={120} />
      <TextArea name="description" label={t("playlists.description")} value={values.description} error={errors.description} maxlength={1000} />
      <div class="field-row">
        <div class="field">
          <label for="f-privacy" safe>
            {t("playlists.privacy")}
          </label>
          <select id="f-privacy" name="privacy" aria-describedby="f-privacy-error">
            {(["1", "2", "3"] as const).map((v) => (
              <option value={v} selected={values.privacy === v} safe>
                {privacyText(page, Number(v) as 1 | 2 | 3)}
              </option>
            ))}
          </select>
          <FieldError id="f-privacy-error" message={errors.privacy} />
        </div>
        <div class="field">
          <label for="f-channelId" safe>
            {t("playlists.channel")}
          </label>
          <select id="f-channelId" name="channelId" aria-describedby="f-channelId-error">
            <option value="" safe>
              {t("playlists.noChannel")}
            </option>
            {channels.map((c) => (
              <option value={String(c.id)} selected={values.channelId === String(c.id)} safe>
                {c.displayName}
              </option>
            ))}
          </select>
          <FieldError id="f-channelId-error" message={errors.channelId} />
        </div>
      </div>
      <button class="button primary" type="submit" safe>
        {submitLabel}
      </button>
    </form>
  );
}

export function PlaylistCard({ page, playlist }: { page: PageContext; playlist: PlaylistCardView }) {
  return (
    <li class="video-card playlist-card">
      <a href={`/p/${playlist.shortId}`} class="thumb" tabindex="-1" aria-hidden="true">
        {playlist.thumbnailUrl ? <img src={playlist.thumbnailUrl} alt="" width="280" height="158" loading="lazy" /> : <span class="thumb-empty" />}
        <span class="playlist-count" safe>
          {page.t("playlists.count", { count: playlist.videosLength })}
        </span>
      </a>
      <a href={`/p/${playlist.shortId}`} class="video-title" safe>
        {playlist.name}
      </a>
      <span class="muted video-meta" safe>
        {`${privacyText(page, playlist.privacy)} · ${page.t("playlists.updated", { age: page.i18n.age(playlist.updatedAt, page.now) })}`}
      </span>
    </li>
  );
}

export interface MyPlaylistsPageProps {
  readonly page: PageContext;
  readonly playlists: readonly PlaylistCardView[];
  readonly channels: readonly { readonly id: number; readonly displayName: string }[];
  readonly values?: PlaylistFormValues;
  readonly errors?: Readonly<Record<string, string>>;
  readonly error?: string;
  readonly notice?: string;
}

export function MyPlaylistsPage({ page, playlists, channels, values = EMPTY_PLAYLIST_FORM, errors, error, notice }: MyPlaylistsPageProps) {
  const t = page.t;
  return (
    <Layout page={page} title={t("playlists.mine")}>
      <h1 safe>{t("playlists.mine")}</h1>
      <Alert message={notice} kind="info" />
      <ul class="video-grid playlist-grid">
        {playlists.map((p) => (
          <PlaylistCard page={page} playlist={p} />
        ))}
      </ul>
      <section class="card" id="create">
        <h2 safe>{t("playlists.create")}</h2>
        <Alert message={error} />
        <PlaylistForm page={page} action="/my/playlists" values={values} errors={errors} channels={channels} submitLabel={t("playlists.createButton")} />
      </section>
    </Layout>
  );
}

export interface EditPlaylistPageProps {
  readonly page: PageContext;
  readonly shortId: string;
  readonly name: string;
  readonly values: PlaylistFormValues;
  readonly channels: readonly { readonly id: number; readonly displayName: string }[];
  readonly errors?: Readonly<Record<string, string>>;
  readonly error?: string;
}

export function EditPlaylistPage({ page, shortId, name, values, channels, errors, error }: EditPlaylistPageProps) {
  const t = page.t;
  return (
    <Layout page={page} title={t("playlists.editTitle", { name })}>
      <p>
        <a href={`/p/${shortId}`} safe>
          {`← ${name}`}
        </a>
      </p>
      <section class="card">
        <h1 safe>{t("playlists.edit")}</h1>
        <Alert message={error} />
        <PlaylistForm page={page} action={`/p/${shortId}/edit`} values={values} errors={errors} channels={channels} submitLabel={t("common.save")} />
      </section>
      <section class="card danger">
        <h2 safe>{t("playlists.delete")}</h2>
        <p class="muted" safe>
          {t("playlists.deleteHint")}
        </p>
        <form method="post" action={`/p/${shortId}/delete`}>
          <Csrf token={page.csrfToken} />
          <button class="button danger" type="submit" safe>
            {t("playlists.delete")}
          </button>
        </form>
      </section>
    </Layout>
  );
}
