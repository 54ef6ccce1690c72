/** JSON shapes of PeerTube's REST API for accounts, channels and users, built from our rows. */
import { preferencesJson } from "../settings/api.ts";
import type { Config } from "../config.ts";
import type { UserRow } from "../accounts/queries.ts";
import type { ChannelRow } from "../channels/queries.ts";
import { AVATAR_SIZE } from "../media/image.ts";
import { absoluteUrl, staticUrl } from "../http/urls.ts";

/** PeerTube's role ids: 0 administrator, 1 moderator, 2 user. */
const ROLES = { admin: { id: 0, label: "Administrator" }, user: { id: 2, label: "User" } } as const;

function avatars(config: Config, path: string | null, date: Date) {
  const url = staticUrl(path);
  if (!url) return [];
  return [{ path: url, fileUrl: absoluteUrl(config, url), width: AVATAR_SIZE, height: AVATAR_SIZE, createdAt: date, updatedAt: date }];
}

interface ActorLike {
  handle: string;
  displayName: string;
  description: string;
  avatarPath: string | null;
  createdAt: Date;
}

function actorFields(config: Config, actor: ActorLike, pathPrefix: "a" | "c") {
  const list = avatars(config, actor.avatarPath, actor.createdAt);
  return {
    name: actor.handle,
    host: config.publicHost,
    displayName: actor.displayName,
    description: actor.description || null,
    url: absoluteUrl(config, `/${pathPrefix}/${actor.handle}`),
    avatars: list,
    avatar: list[0] ?? null,
    followersCount: 0,
    followingCount: 0,
    createdAt: actor.createdAt,
    updatedAt: actor.createdAt,
  };
}

export function accountJson(config: Config, user: UserRow) {
  return { id: user.actorId, userId: user.id, ...actorFields(config, user, "a") };
}

export function channelJson(config: Config, channel: ChannelRow) {
  return {
    id: channel.id,
    ...actorFields(config, channel, "c"),
    support: channel.support || null,
    isLocal: true,
    banners: [],
    ownerAccount: {
      id: channel.ownerId,
      name: channel.ownerHandle,
      host: config.publicHost,
      displayName: channel.ownerDisplayName,
      url: absoluteUrl(config, `/a/${channel.ownerHandle}`),
      avatars: avatars(config, channel.ownerAvatarPath, channel.createdAt),
    },
  };
}

export function meJson(config: Config, user: UserRow, channels: readonly ChannelRow[]) {
  return {
    id: user.id,
    username: user.handle,
    email: user.email,
    emailVerified: true,
    role: ROLES[user.role],
    blocked: false,
    ...preferencesJson(user, config.p2p.defaultMode),
    language: user.locale,
    videoQuota: -1,
    videoQuotaDaily: -1,
    createdAt: user.createdAt,
    account: accountJson(config, user),
    videoChannels: channels.map((c) => channelJson(config, c)),
  };
}
