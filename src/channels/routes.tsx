/** Channel pages: the public page, the owner's list with the create form, edit, avatar and delete. */
import { Elysia } from "elysia";
import type { AppDeps, contextPlugin } from "../http/context.ts";
import type { PageContext } from "../../views/context.ts";
import type { UserRow } from "../accounts/queries.ts";
import { requireUser } from "../http/context.ts";
import { HttpError, notFound } from "../http/errors.ts";
import { field } from "../http/forms.ts";
import { ChannelPage, EditChannelPage, MyChannelsPage } from "../../views/pages/channels.tsx";
import * as q from "./queries.ts";
import { listChannelVideosForOwner, listPublicVideos } from "../videos/queries.ts";
import { toCardView } from "../videos/cards.ts";
import { subscriptionStateFor } from "../subscriptions/service.ts";
import {
  canDeleteChannel,
  channelForChange,
  createChannel,
  deleteChannel,
  editChannel,
  setChannelAvatar,
  toChannelView,
} from "./service.ts";

function channelForm(body: unknown) {
  return {
    handle: field(body, "handle"),
    displayName: field(body, "displayName"),
    description: field(body, "description"),
    support: field(body, "support"),
  };
}

/** The channel page: the owner sees every video with its state, visitors what is public. */
async function channelPage(deps: AppDeps, handle: string, page: PageContext, user: UserRow | null, query: Record<string, string | undefined>) {
  const channel = await q.findChannelByHandle(deps.sql, handle.toLowerCase());
  if (!channel) throw notFound(page.t("channel.notFound"));
  const isOwner = user?.id === channel.ownerId;
  const videos = isOwner
    ? (await listChannelVideosForOwner(deps.sql, channel.id)).map((v) => toCardView(v, true))
    : (
        (await deps.listings.get(`channel:${channel.id}`, () =>
          listPublicVideos(deps.sql, { start: 0, count: 60, channelId: channel.id }),
        )) as Awaited<ReturnType<typeof listPublicVideos>>
      ).data.map((v) => toCardView(v));
  const notice = query.deleted ? page.t("video.deleted") : undefined;
  const subscription = await subscriptionStateFor(deps.sql, channel.actorId, user);
  return (
    <ChannelPage page={page} channel={toChannelView(channel)} isOwner={isOwner} host={deps.config.publicHost} videos={videos} notice={notice} subscription={subscription} />
  );
}

export function channelRoutes(context: ReturnType<typeof contextPlugin>) {
  return new Elysia({ name: "channels" })
    .use(context)
    .get("/c/:handle", ({ deps, params, page, user, query }) =>
      deps.visitorPages.render(page, "channel", (page) => channelPage(deps, params.handle, page, user, query)),
    )
    .get("/my/channels", async ({ deps, user, page, query }) => {
      const owner = requireUser(user);
      const channels = await q.listChannelsOfOwner(deps.sql, owner.id);
      const notice = query.deleted ? page.t("channel.deleted") : undefined;
      return <MyChannelsPage page={page} channels={channels.map(toChannelView)} notice={notice} />;
    })
    .post("/my/channels", async ({ deps, user, body, page, set, redirect }) => {
      const owner = requireUser(user);
      const values = channelForm(body);
      try {
        const channel = await createChannel(deps, owner, values);
        return redirect(`/c/${channel.handle}`, 303);
      } catch (error) {
        if (!(error instanceof HttpError) || !error.fields) throw error;
        set.status = error.status;
        const channels = await q.listChannelsOfOwner(deps.sql, owner.id);
        return <MyChannelsPage page={page} channels={channels.map(toChannelView)} values={values} errors={error.fields} error={error.message} />;
      }
    })
    .get("/c/:handle/edit", async ({ deps, user, params, page, query }) => {
      const channel = await channelForChange(deps, requireUser(user), params.handle);
      const notice = query.avatar ? page.t("channel.avatar.updated") : query.saved ? page.t("common.saved") : undefined;
      return <EditChannelPage page={page} channel={toChannelView(channel)} canDelete={await canDeleteChannel(deps, channel)} notice={notice} />;
    })
    .post("/c/:handle/edit", async ({ deps, user, params, body, page, set, redirect }) => {
      const editor = requireUser(user);
      const values = channelForm(body);
      try {
        const channel = await editChannel(deps, editor, params.handle, values);
        return redirect(`/c/${channel.handle}/edit?saved=1`, 303);
      } catch (error) {
        if (!(error instanceof HttpError) || !error.fields) throw error;
        const channel = await channelForChange(deps, editor, params.handle);
        set.status = error.status;
        return (
          <EditChannelPage
            page={page}
            channel={toChannelView(channel)}
            canDelete={await canDeleteChannel(deps, channel)}
            values={values}
            errors={error.fields}
            error={error.message}
          />
        );
      }
    })
    .post("/c/:handle/avatar", async ({ deps, user, params, body, redirect }) => {
      const channel = await setChannelAvatar(deps, requireUser(user), params.handle, (body as Record<string, unknown>)?.avatar);
      return redirect(`/c/${channel.handle}/edit?avatar=1`, 303);
    })
    .post("/c/:handle/delete", async ({ deps, user, params, redirect }) => {
      await deleteChannel(deps, requireUser(user), params.handle);
      return redirect("/my/channels?deleted=1", 303);
    });
}
