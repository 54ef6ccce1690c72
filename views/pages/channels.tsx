/** Channel pages: public channel page, account page, the owner's list, create and edit forms. */
import type { PageContext } from "../context.ts";
import { Layout } from "../layout.tsx";
import { Avatar } from "../components/avatar.tsx";
import { Alert, Csrf, Field, TextArea } from "../components/form.tsx";
import { VideoGrid, type VideoCardView } from "../components/video-card.tsx";

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
}

export function ChannelPage({ page, channel, isOwner, host, videos, notice }: ChannelPageProps) {
  return (
    <Layout page={page} title={channel.displayName} description={channel.description.slice(0, 200)}>
      <Alert message={notice} kind="info" />
      <section class="profile">
        <Avatar url={channel.avatarUrl} name={channel.displayName} size={96} />
        <div>
          <h1 safe>{channel.displayName}</h1>
          <p class="muted handle" safe>{`@${channel.handle}@${host}`}</p>
          <p>
            By <a href={`/a/${channel.ownerHandle}`} safe>{channel.ownerDisplayName}</a>
          </p>
          {isOwner ? (
            <a class="button" href={`/c/${channel.handle}/edit`}>
              Edit channel
            </a>
          ) : (
            ""
          )}
        </div>
      </section>
      {channel.description ? <p class="description" safe>{channel.description}</p> : ""}
      {channel.support ? (
        <aside class="card">
          <h2>Support this channel</h2>
          <p safe>{channel.support}</p>
        </aside>
      ) : (
        ""
      )}
      <section>
        <h2>Videos</h2>
        {videos.length ? <VideoGrid videos={videos} now={page.now} /> : <p class="muted">This channel has no videos yet.</p>}
      </section>
    </Layout>
  );
}

export function ChannelList({ channels }: { channels: readonly ChannelView[] }) {
  if (channels.length === 0) return <p class="muted">No channels yet.</p>;
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
  return (
    <Layout page={page} title={account.displayName}>
      <section class="profile">
        <Avatar url={account.avatarUrl} name={account.displayName} size={96} />
        <div>
          <h1 safe>{account.displayName}</h1>
          <p class="muted handle" safe>{`@${account.handle}@${host}`}</p>
          <p class="muted">
            Joined <time datetime={account.createdAt.toISOString()} safe>{account.createdAt.toLocaleDateString("en", { year: "numeric", month: "long" })}</time>
          </p>
        </div>
      </section>
      {account.description ? <p class="description" safe>{account.description}</p> : ""}
      <h2>Channels</h2>
      <ChannelList channels={channels} />
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
  return (
    <Layout page={p.page} title="My channels">
      <h1>My channels</h1>
      <Alert message={p.notice} kind="info" />
      <ChannelList channels={p.channels} />
      <section class="card" id="create">
        <h2>Create a channel</h2>
        <Alert message={p.error} />
        <form method="post" action="/my/channels" class="form" novalidate>
          <Csrf token={p.page.csrfToken} />
          <Field
            name="handle"
            label="Handle"
            prefix="@"
            hint="How people find and follow the channel; it cannot be changed later."
            value={values.handle}
            error={errors.handle}
            required
            maxlength={50}
            checkUrl="/handles/check?field=handle"
          />
          <Field name="displayName" label="Display name" value={values.displayName} error={errors.displayName} required maxlength={120} />
          <TextArea name="description" label="Description" value={values.description} error={errors.description} maxlength={1000} />
          <TextArea name="support" label="Support text" hint="How viewers can support you." value={values.support} error={errors.support} maxlength={1000} />
          <button type="submit" class="button primary">
            Create channel
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
  return (
    <Layout page={p.page} title={`Edit ${c.displayName}`}>
      <h1>
        Edit <span safe>{c.displayName}</span>
      </h1>
      <p>
        <a href={`/c/${c.handle}`}>View channel</a>
      </p>
      <Alert message={p.notice} kind="info" />
      <Alert message={p.error} />
      <section class="card">
        <form method="post" action={`/c/${c.handle}/edit`} class="form" novalidate>
          <Csrf token={p.page.csrfToken} />
          <Field name="displayName" label="Display name" value={values.displayName} error={errors.displayName} required maxlength={120} />
          <TextArea name="description" label="Description" value={values.description} error={errors.description} maxlength={1000} />
          <TextArea name="support" label="Support text" value={values.support} error={errors.support} maxlength={1000} />
          <button type="submit" class="button primary">
            Save
          </button>
        </form>
      </section>
      <section class="card">
        <h2>Avatar</h2>
        <div class="avatar-row">
          <Avatar url={c.avatarUrl} name={c.displayName} size={96} />
          <form method="post" action={`/c/${c.handle}/avatar`} enctype="multipart/form-data" class="form">
            <Csrf token={p.page.csrfToken} />
            <div class="field">
              <label for="f-avatar">Image</label>
              <p class="hint">PNG, JPEG, WebP or GIF; it is cropped to a square.</p>
              <input id="f-avatar" type="file" name="avatar" accept="image/png,image/jpeg,image/webp,image/gif" required />
            </div>
            <button type="submit" class="button">
              Upload avatar
            </button>
          </form>
        </div>
      </section>
      <section class="card danger">
        <h2>Delete this channel</h2>
        {p.canDelete ? (
          <form method="post" action={`/c/${c.handle}/delete`} x-data x-on:submit="if (!confirm('Delete this channel for good?')) $event.preventDefault()">
            <Csrf token={p.page.csrfToken} />
            <button type="submit" class="button danger">
              Delete channel
            </button>
          </form>
        ) : (
          <p class="muted">This is your only channel; an account keeps at least one.</p>
        )}
      </section>
    </Layout>
  );
}
