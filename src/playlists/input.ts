/** What a valid playlist looks like, and the limits that keep one account from growing without bound. Pure. */
import { cleanText } from "../accounts/validation.ts";
import type { MessageKey, Params } from "../i18n/i18n.ts";
import type { PlaylistPrivacy } from "./queries.ts";

export const NAME_MAX = 120;
export const DESCRIPTION_MAX = 1000;
/** Regular playlists per account; Watch later comes on top. */
export const MAX_PLAYLISTS_PER_USER = 100;
export const MAX_ELEMENTS_PER_PLAYLIST = 500;

export interface PlaylistInput {
  readonly name: string;
  readonly description: string;
  readonly privacy: PlaylistPrivacy;
  readonly channelId: number | null;
}

/** A message still to be translated, so pages show it in the reader's language and the API in English. */
export interface Problem {
  readonly key: MessageKey;
  readonly params?: Params;
}

export type Problems = Partial<Record<keyof PlaylistInput, Problem>>;

/** New playlists are private unless asked otherwise, like PeerTube's. */
const DEFAULTS: PlaylistInput = { name: "", description: "", privacy: 3, channelId: null };

function parsePrivacy(value: unknown): PlaylistPrivacy | null {
  const n = typeof value === "string" && value.trim() !== "" ? Number(value) : value;
  return n === 1 || n === 2 || n === 3 ? n : null;
}

function parseChannel(value: unknown): number | null | undefined {
  if (value === null || value === "" || value === undefined) return null;
  const n = typeof value === "string" ? Number(value) : value;
  return typeof n === "number" && Number.isSafeInteger(n) && n > 0 ? n : undefined;
}

/**
 * Reads form or API fields over `current` (absent fields keep their value, so PUT may be partial).
 * The API names the title `displayName` and the channel `videoChannelId`; forms use `name` and `channelId`.
 */
export function parsePlaylistInput(raw: Record<string, unknown>, current: PlaylistInput = DEFAULTS): { input: PlaylistInput; problems: Problems } {
  const problems: Problems = {};
  const rawName = raw.displayName ?? raw.name;
  const name = rawName === undefined ? current.name : cleanText(rawName);
  if (name.length === 0) problems.name = { key: "playlists.err.nameEmpty" };
  else if (name.length > NAME_MAX) problems.name = { key: "playlists.err.nameLong", params: { max: NAME_MAX } };

  const description = raw.description === undefined ? current.description : cleanText(raw.description);
  if (description.length > DESCRIPTION_MAX) problems.description = { key: "playlists.err.descriptionLong", params: { max: DESCRIPTION_MAX } };

  const privacy = raw.privacy === undefined ? current.privacy : parsePrivacy(raw.privacy);
  if (privacy === null) problems.privacy = { key: "playlists.err.privacy" };

  const rawChannel = raw.videoChannelId ?? raw.channelId;
  const channelId = rawChannel === undefined ? current.channelId : parseChannel(rawChannel);
  if (channelId === undefined) problems.channelId = { key: "playlists.err.channel" };

  return { input: { name, description, privacy: privacy ?? current.privacy, channelId: channelId ?? null }, problems };
}

/** Field name -> message in the reader's language. */
export function translateProblems(problems: Problems, t: (key: MessageKey, params?: Params) => string): Record<string, string> {
  return Object.fromEntries(Object.entries(problems).map(([field, p]) => [field, t(p!.key, p!.params)]));
}
