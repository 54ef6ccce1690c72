/** Channel pages: public channel page, account page, the owner's list, create and edit forms. */
import type { PageContext } from "../context.ts";
import { Layout } from "../layout.tsx";
import { Avatar } from "../components/avatar.tsx";
import { Alert, Csrf, Field, TextArea } from "../components/form.tsx";
import { VideoGrid, type VideoCardView } from "../components/video-card.tsx";
import { SubscribeButton } from "../components/subscribe-button.tsx";
import { FeedLinks } from "../components/feed-links.tsx";
import { SLOT, aroundSlot } from "../format.ts";

export interface ChannelView {
  readonly handle: string;
  readonly displayName: string;
  readonly description: string;
  readonly support: string;
  readonly avatarUrl: string | null;
  readonly ownerHandle: string;
  readonly ownerDisplayName: string;
  readonly createdAt: Date;
}

export interface ChannelPageProps {
  readonly page: PageContext;
  readonly channel: ChannelView;
  readonly isOwner: boolean;
  readonly host: string;
  readonly videos: readonly VideoCardView[];
  readonly notice?: string;
  /** For the subscribe button: whether the viewer follows the channel, and how many do. */
  readonly subscription?: { readonly subscribed: boolean; readonly subscribers: number };
}

export function ChannelPage({ page, channel, isOwner, host, videos, notice, subscription }: ChannelPageProps) {
  const t = page.t;
  const [byBefore, byAfter] = aroundSlot(t("channel.by", { owner: SLOT }));
  return (
    <Layout
      page={page}
      title={channel.displayName}
      description={channel.description.slice(0, 200)}
      head={<FeedLinks page={page} owner={{ kind: "channel", handle: channel.handle }} name={channel.displayName} />}
    >
      <Alert message={notice} kind="info" />
      <section class="profile">
        <Avatar url={channel.avatarUrl} name={channel.displayName} size={96} />
        <div>
          <h1 safe>{channel.displayName}</h1>
          <p class="muted handle" safe>{`@${channel.handle}@${host}`}</p>
          <p>
            <span safe>{byBefore}</span>
            <a href={`/a/${channel.ownerHandle}`} safe>
              {channel.ownerDisplayName}
            </a>
            <span safe>{byAfter}</span>
          </p>
          {subscription ? (
            <SubscribeButton page={page} channelHandle={channel.handle} subscribed={subscription.subscribed} subscribers={subscription.subscribers} />
          ) : (
            ""
          )}
          {isOwner ? (
            <a class="button" href={`/c/${channel.handle}/edit`} safe>
              {t("channel.edit")}
            </a>
          ) : (
            ""
          )}
        </div>
      </section>
      {channel.description ? <p class="description" safe>{channel.description}</p> : ""}
      {channel.support ? (
        <aside class="card">
          <h2 safe>{t("channel.support")}</h2>
          <p safe>{channel.support}</p>
        </aside>
      ) : (
        ""
      )}
      <section>
        <h2 safe>{t("channel.videos")}</h2>
        {videos.length ? <VideoGrid videos={videos} page={page} /> : <p class="muted" safe>{t("channel.noVideos")}</p>}
      </section>
    </Layout>
  );
}

/** A list of channels; `page` is only needed to say that there are none. */
export function ChannelList({ channels, page }: { channels: readonly ChannelView[]; page?: PageContext }) {
  if (channels.length === 0) return <p class="muted" safe>{page?.t("channel.none") ?? ""}</p>;
  return (
    <ul class="channel-list">
      {channels.map((c) => (
        <li>
          <a href={`/c/${c.handle}`} class="channel-item">
            <Avatar url={c.avatarUrl} name={c.displayName} size={48} />
            <span class="channel-text">
              <strong safe>{c.displayName}</strong>
              <span class="muted" safe>{`@${c.handle}`}</span>
            </span>
          </a>
        </li>
      ))}
    </ul>
  );
}

export interface AccountView {
  readonly handle: string;
  readonly displayName: string;
  readonly description: string;
  readonly avatarUrl: string | null;
  readonly createdAt: Date;
}

export function AccountPage({ page, account, channels, host }: { page: PageContext; account: AccountView; channels: readonly ChannelView[]; host: string }) {
  const [joinedBefore, joinedAfter] = aroundSlot(page.t("account.joined", { date: SLOT }));
  const joined = account.createdAt.toLocaleDateString(page.locale, { year: "numeric", month: "long", timeZone: "UTC" });
  return (
    <Layout page={page} title={account.displayName} head={<FeedLinks page={page} owner={{ kind: "account", handle: account.handle }} name={account.displayName} />}>
      <section class="profile">
        <Avatar url={account.avatarUrl} name={account.displayName} size={96} />
        <div>
          <h1 safe>{account.displayName}</h1>
          <p class="muted handle" safe>{`@${account.handle}@${host}`}</p>
          <p class="muted">
            <span safe>{joinedBefore}</span>
            <time datetime={account.createdAt.toISOString()} safe>
              {joined}
            </time>
            <span safe>{joinedAfter}</span>
          </p>
        </div>
      </section>
      {account.description ? <p class="description" safe>{account.description}</p> : ""}
      <h2 safe>{page.t("account.channels")}</h2>
      <ChannelList channels={channels} page={page} />
    </Layout>
  );
}

export interface ChannelFormValues {
  readonly handle?: string;
  readonly displayName?: string;
  readonly description?: string;
  readonly support?: string;
}

export function MyChannelsPage(p: {
  page: PageContext;
  channels: readonly ChannelView[];
  values?: ChannelFormValues;
  errors?: Readonly<Record<string, string>>;
  error?: string;
  notice?: string;
}) {
  const errors = p.errors ?? {};
  const values = p.values ?? {};
  const t = p.page.t;
  return (
    <Layout page={p.page} title={t("channel.mine")}>
      <h1 safe>{t("channel.mine")}</h1>
      <Alert message={p.notice} kind="info" />
      <ChannelList channels={p.channels} page={p.page} />
      <section class="card" id="create">
        <h2 safe>{t("channel.create.heading")}</h2>
        <Alert message={p.error} />
        <form method="post" action="/my/channels" class="form" novalidate>
          <Csrf token={p.page.csrfToken} />
          <Field
            name="handle"
            label={t("channel.field.handle")}
            prefix="@"
            hint={t("channel.field.handleHint")}
            value={values.handle}
            error={errors.handle}
            required
            maxlength={50}
            checkUrl="/handles/check?field=handle"
          />
          <Field name="displayName" label={t("channel.field.displayName")} value={values.displayName} error={errors.displayName} required maxlength={120} />
          <TextArea name="description" label={t("channel.field.description")} value={values.description} error={errors.description} maxlength={1000} />
          <TextArea
            name="support"
            label={t("channel.field.support")}
            hint={t("channel.field.supportHint")}
            value={values.support}
            error={errors.support}
            maxlength={1000}
          />
          <button type="submit" class="button primary" safe>
            {t("channel.create.submit")}
          </button>
        </form>
      </section>
    </Layout>
  );
}

export function EditChannelPage(p: {
  page: PageContext;
  channel: ChannelView;
  canDelete: boolean;
  values?: ChannelFormValues;
  errors?: Readonly<Record<string, string>>;
  error?: string;
  notice?: string;
}) {
  const c = p.channel;
  const values = p.values ?? c;
  const errors = p.errors ?? {};
  const t = p.page.t;
  const [editBefore, editAfter] = aroundSlot(t("channel.editTitle", { name: SLOT }));
  return (
    <Layout page={p.page} title={t("channel.editTitle", { name: c.displayName })}>
      <h1>
        <span safe>{editBefore}</span>
        <span safe>{c.displayName}</span>
        <span safe>{editAfter}</span>
      </h1>
      <p>
        <a href={`/c/${c.handle}`} safe>
          {t("channel.view")}
        </a>
      </p>
      <Alert message={p.notice} kind="info" />
      <Alert message={p.error} />
      <section class="card">
        <form method="post" action={`/c/${c.handle}/edit`} class="form" novalidate>
          <Csrf token={p.page.csrfToken} />
          <Field name="displayName" label={t("channel.field.displayName")} value={values.displayName} error={errors.displayName} required maxlength={120} />
          <TextArea name="description" label={t("channel.field.description")} value={values.description} error={errors.description} maxlength={1000} />
          <TextArea name="support" label={t("channel.field.support")} value={values.support} error={errors.support} maxlength={1000} />
          <button type="submit" class="button primary" safe>
            {t("common.save")}
          </button>
        </form>
      </section>
      <section class="card">
        <h2 safe>{t("channel.avatar.heading")}</h2>
        <div class="avatar-row">
          <Avatar url={c.avatarUrl} name={c.displayName} size={96} />
          <form method="post" action={`/c/${c.handle}/avatar`} enctype="multipart/form-data" class="form">
            <Csrf token={p.page.csrfToken} />
            <div class="field">
              <label for="f-avatar" safe>
                {t("channel.avatar.image")}
              </label>
              <p class="hint" safe>
                {t("channel.avatar.hint")}
              </p>
              <input id="f-avatar" type="file" name="avatar" accept="image/png,image/jpeg,image/webp,image/gif" required />
            </div>
            <button type="submit" class="button" safe>
              {t("channel.avatar.submit")}
            </button>
          </form>
        </div>
      </section>
      <section class="card danger">
        <h2 safe>{t("channel.delete.heading")}</h2>
        {p.canDelete ? (
          <form
            method="post"
            action={`/c/${c.handle}/delete`}
            x-data
            x-on:submit={`if (!confirm(${JSON.stringify(t("channel.delete.confirm"))})) $event.preventDefault()`}
          >
            <Csrf token={p.page.csrfToken} />
            <button type="submit" class="button danger" safe>
              {t("channel.delete.submit")}
            </button>
          </form>
        ) : (
          <p class="muted" safe>
            {t("channel.delete.onlyOne")}
          </p>
        )}
      </section>
    </Layout>
  );
}
