/** Channel rules: who may create, edit and delete, and what a valid channel looks like. */
import { rm } from "node:fs/promises";
import { join } from "node:path";
import type { Sql } from "postgres";
import type { Config } from "../config.ts";
import type { UserRow } from "../accounts/queries.ts";
import type { ChannelView } from "../../views/pages/channels.tsx";
import { handleExists } from "../accounts/queries.ts";
import { DESCRIPTION_MAX, DISPLAY_NAME_MAX, cleanText, handleProblem, textProblem } from "../accounts/validation.ts";
import { HttpError, badRequest, conflict, forbidden, notFound } from "../http/errors.ts";
import { staticUrl } from "../http/urls.ts";
import * as q from "./queries.ts";
import { replaceActorAvatar } from "../accounts/avatar.ts";
import { generateActorKeys } from "../federation/keys.ts";

export interface ChannelsDeps {
  readonly sql: Sql;
  readonly config: Config;
}

/** PeerTube's default limit of channels per account. */
export const MAX_CHANNELS_PER_USER = 20;

export interface ChannelInput {
  handle?: string;
  displayName: string;
  description: string;
  support: string;
}

export function toChannelView(row: q.ChannelRow): ChannelView {
  return { ...row, avatarUrl: staticUrl(row.avatarPath) };
}

export function channelProblems(input: ChannelInput, withHandle: boolean): Record<string, string> {
  const problems: Record<string, string> = {};
  const checks: [string, string | null][] = [
    ["handle", withHandle ? handleProblem(input.handle ?? "") : null],
    ["displayName", textProblem("Display name", input.displayName, 1, DISPLAY_NAME_MAX)],
    ["description", textProblem("Description", input.description, 0, DESCRIPTION_MAX)],
    ["support", textProblem("Support text", input.support, 0, DESCRIPTION_MAX)],
  ];
  for (const [name, problem] of checks) if (problem) problems[name] = problem;
  return problems;
}

function clean(raw: ChannelInput): ChannelInput {
  return {
    handle: cleanText(raw.handle).toLowerCase(),
    displayName: cleanText(raw.displayName),
    description: cleanText(raw.description),
    support: cleanText(raw.support),
  };
}

export async function createChannel({ sql, config }: ChannelsDeps, owner: UserRow, raw: ChannelInput): Promise<q.ChannelRow> {
  const input = clean(raw);
  const problems = channelProblems(input, true);
  if (Object.keys(problems).length > 0) throw badRequest("Please correct the highlighted fields.", problems);
  if ((await q.countChannelsOfOwner(sql, owner.id)) >= MAX_CHANNELS_PER_USER) {
    throw new HttpError(403, `You already have ${MAX_CHANNELS_PER_USER} channels, the most an account can have.`);
  }
  if (await handleExists(sql, input.handle!)) {
    throw conflict("That handle is taken.", { handle: "That name is already used by an account or a channel." });
  }
  try {
    const keys = config.federation.enabled ? await generateActorKeys() : undefined;
    const id = await q.insertChannel(sql, { ownerId: owner.id, handle: input.handle!, ...input, keys });
    return (await q.findChannelById(sql, id))!;
  } catch (error) {
    if ((error as { code?: string }).code === "23505") throw conflict("That handle was just taken.", { handle: "Taken a moment ago." });
    throw error;
  }
}

/** Loads a channel the user may change: its owner or an administrator; 404 before 403 so handles are not probed for free. */
export async function channelForChange({ sql }: ChannelsDeps, user: UserRow, handle: string): Promise<q.ChannelRow> {
  const channel = await q.findChannelByHandle(sql, handle.toLowerCase());
  if (!channel) throw notFound("There is no channel with that name here.");
  if (channel.ownerId !== user.id && user.role !== "admin") throw forbidden("Only the channel's owner can change it.");
  return channel;
}

export async function editChannel(deps: ChannelsDeps, user: UserRow, handle: string, raw: ChannelInput): Promise<q.ChannelRow> {
  const channel = await channelForChange(deps, user, handle);
  const input = clean(raw);
  const problems = channelProblems(input, false);
  if (Object.keys(problems).length > 0) throw badRequest("Please correct the highlighted fields.", problems);
  await q.updateChannel(deps.sql, channel.actorId, input);
  return (await q.findChannelById(deps.sql, channel.id))!;
}

export async function canDeleteChannel({ sql }: ChannelsDeps, channel: q.ChannelRow): Promise<boolean> {
  return (await q.countChannelsOfOwner(sql, channel.ownerId)) > 1;
}

export async function deleteChannel(deps: ChannelsDeps, user: UserRow, handle: string): Promise<void> {
  const channel = await channelForChange(deps, user, handle);
  if (!(await canDeleteChannel(deps, channel))) throw new HttpError(409, "An account keeps at least one channel; create another before deleting this one.");
  const deleted = await q.deleteChannelActor(deps.sql, channel.actorId);
  if (deleted?.avatarPath) await rm(join(deps.config.dataDir, deleted.avatarPath), { force: true });
}

/** Resizes the upload into data/avatars/, points the channel at it, and removes the previous file. */
export async function setChannelAvatar(deps: ChannelsDeps, user: UserRow, handle: string, file: unknown): Promise<q.ChannelRow> {
  const channel = await channelForChange(deps, user, handle);
  await replaceActorAvatar(deps, channel.actorId, file);
  return (await q.findChannelById(deps.sql, channel.id))!;
}
