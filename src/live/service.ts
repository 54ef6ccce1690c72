/**
 * Lives: creating one (a video row plus its live row), its settings and stream key, for its owner or an admin.
 * The RTMP ingest drives a live's state through queries.ts (beginLiveSession, endLiveSession...) directly.
 */
import type { Sql } from "../db/client.ts";
import type { Config } from "../config.ts";
import type { UserRow } from "../accounts/queries.ts";
import { randomToken } from "../accounts/tokens.ts";
import { findChannelById } from "../channels/queries.ts";
import { HttpError, badRequest, notFound } from "../http/errors.ts";
import { newVideoIds } from "../videos/ids.ts";
import { parseVideoDetails } from "../videos/metadata.ts";
import { findVideo, type VideoRow } from "../videos/queries.ts";
import { videoForChange } from "../videos/service.ts";
import * as q from "./queries.ts";
import { liveOwnerView, liveStatus, liveWatchView, type LiveStatus } from "./shapes.ts";

// The ingest's calls, by the names it uses: the state changes are single queries, so they live in queries.ts.
export { beginLiveSession, endLiveSession, endLeftoverLives, findLiveForPublish, markLivePlayable, setLiveReplay } from "./queries.ts";

/** What the live service reads and writes: the database, and the instance's live settings. */
export interface LiveDeps {
  readonly sql: Sql;
  readonly config: Config;
}

export interface LiveAndVideo {
  readonly video: VideoRow;
  readonly live: q.LiveRow;
}

/** A new stream key: 256 random bits, URL-safe (43 characters). Never logged. */
export function newStreamKey(): string {
  return randomToken();
}

/** A new publish session id: 72 random bits, URL-safe (12 characters), part of the session's file URLs. */
export function newLiveSessionId(): string {
  return Buffer.from(crypto.getRandomValues(new Uint8Array(9))).toString("base64url");
}

function flag(value: unknown): boolean | undefined {
  if (value === undefined || value === null || value === "") return undefined;
  if (typeof value === "boolean") return value;
  if (value === "true" || value === "1" || value === "on" || value === 1) return true;
  if (value === "false" || value === "0" || value === "off" || value === 0) return false;
  return undefined;
}

/**
 * PeerTube's LiveVideoLatencyMode numbers (1 default, 2 high latency, 3 small latency) or our form's words.
 * We have no high-latency mode: 2 gets the normal one, which is what PeerTube's default also means.
 */
export function parseLatencyMode(value: unknown): q.LiveLatency | undefined {
  const v = typeof value === "string" ? value.trim() : value;
  if (v === "normal" || v === 1 || v === "1" || v === 2 || v === "2") return "normal";
  if (v === "low" || v === 3 || v === "3") return "low";
  return undefined;
}

/** Parses replay, permanence and latency (PeerTube's field names) over `current`; problems by field. */
export function parseLiveSettings(
  raw: Record<string, unknown>,
  current: q.LiveSettings = { saveReplay: false, permanent: false, latencyMode: "normal" },
): { settings: q.LiveSettings; problems: Record<string, string> } {
  const problems: Record<string, string> = {};
  const saveReplay = flag(raw.saveReplay);
  if (raw.saveReplay !== undefined && raw.saveReplay !== "" && saveReplay === undefined) problems.saveReplay = "saveReplay is true or false.";
  const permanent = flag(raw.permanentLive);
  if (raw.permanentLive !== undefined && raw.permanentLive !== "" && permanent === undefined) problems.permanentLive = "permanentLive is true or false.";
  const latencyMode = raw.latencyMode === undefined || raw.latencyMode === "" ? current.latencyMode : parseLatencyMode(raw.latencyMode);
  if (!latencyMode) problems.latencyMode = "Latency mode is 1 or \"normal\" (default), or 3 or \"low\" (small latency).";
  return {
    settings: {
      saveReplay: saveReplay ?? current.saveReplay,
      permanent: permanent ?? current.permanent,
      latencyMode: latencyMode ?? current.latencyMode,
    },
    problems,
  };
}

function assertLivesAllowed(config: Config): void {
  if (!config.live.enabled) {
    throw new HttpError(403, "Lives are turned off on this instance.", "live_not_enabled", undefined, "live.error.disabled");
  }
}

/** Creates a live on one of the user's channels: its video (published, waiting for the stream) and its key. */
export async function createLive(deps: LiveDeps, user: UserRow, raw: Record<string, unknown>): Promise<LiveAndVideo> {
  assertLivesAllowed(deps.config);
  const { details, problems } = parseVideoDetails({ ...raw, downloadEnabled: false });
  const { settings, problems: liveProblems } = parseLiveSettings(raw);
  Object.assign(problems, liveProblems);
  const channelId = Number(raw.channelId);
  const channel = Number.isInteger(channelId) && channelId > 0 ? await findChannelById(deps.sql, channelId) : null;
  if (!channel || channel.ownerId !== user.id) problems.channelId = "Choose one of your channels.";
  if (Object.keys(problems).length > 0) throw badRequest("Please correct the highlighted fields.", problems);
  const ids = newVideoIds();
  const videoId = await deps.sql.begin(async (tx) => {
    const id = await q.insertLiveVideo(tx, { ...ids, channelId, ...details, tags: [...details.tags] });
    await q.insertLive(tx, { videoId: id, streamKey: newStreamKey(), ...settings });
    return id;
  });
  return loadLive(deps, videoId);
}

async function loadLive(deps: LiveDeps, videoId: number): Promise<LiveAndVideo> {
  const [video, live] = await Promise.all([findVideo(deps.sql, { id: videoId }), q.findLiveByVideoId(deps.sql, videoId)]);
  if (!video || !live) throw notFound("Video not found");
  return { video, live };
}

/** A live its owner or an administrator manages: 404 when absent or not a live, 403 for anyone else. */
export async function liveForChange(deps: LiveDeps, user: UserRow, rawId: string): Promise<LiveAndVideo> {
  const video = await videoForChange(deps, user, rawId);
  const live = video.isLive ? await q.findLiveByVideoId(deps.sql, video.id) : null;
  if (!live) throw notFound("This video is not a live.");
  return { video, live };
}

function onAirConflict(): HttpError {
  return new HttpError(409, "The live is on air: stop streaming first, then try again.", "live_on_air", undefined, "live.error.onAir");
}

/** Gives the live a new stream key; the old one stops working at once. Refused while on air. */
export async function regenerateStreamKey(deps: LiveDeps, user: UserRow, videoId: string): Promise<q.LiveRow> {
  const { live } = await liveForChange(deps, user, videoId);
  if (live.state === "live" || !(await q.setStreamKey(deps.sql, live.id, newStreamKey()))) throw onAirConflict();
  return (await q.findLiveByVideoId(deps.sql, live.videoId))!;
}

/** Changes replay, permanence and latency (fields absent from `raw` keep their value). Refused while on air. */
export async function editLiveSettings(deps: LiveDeps, user: UserRow, videoId: string, raw: Record<string, unknown>): Promise<q.LiveRow> {
  const { live } = await liveForChange(deps, user, videoId);
  const { settings, problems } = parseLiveSettings(raw, live);
  if (Object.keys(problems).length > 0) throw badRequest("Please correct the highlighted fields.", problems);
  if (live.state === "live" || !(await q.updateLiveSettings(deps.sql, live.id, settings))) throw onAirConflict();
  return (await q.findLiveByVideoId(deps.sql, live.videoId))!;
}

/** The reason a publish is refused, worded for the publisher's log (OBS shows it); null for "ok". */
export function beginRefusal(result: q.BeginResult, config: Config): string | null {
  switch (result) {
    case "ok":
      return null;
    case "already_live":
      return "This live already has a publisher.";
    case "ended":
      return "This live has ended; create a new one (or make it permanent) to stream again.";
    case "user_limit":
      return `You already have ${config.live.maxPerUser} live(s) on air.`;
    case "instance_limit":
      return "This instance has as many lives on air as it allows; try again later.";
  }
}

/** What the watch page of a live shows: its status, the live area's view and, for managers, the owner panel. */
export async function loadLiveWatch(deps: LiveDeps, video: Pick<VideoRow, "id" | "uuid" | "shortId">, canManage: boolean, viewers = 0) {
  const live = await q.findLiveByVideoId(deps.sql, video.id);
  if (!live) return null;
  const status = liveStatus(video.uuid, live);
  return {
    row: live,
    status,
    view: liveWatchView(video.shortId, live, status, viewers),
    owner: canManage ? liveOwnerView(deps.config, video.shortId, live) : undefined,
  };
}

/** A live's status by video id, for the state events; null when the video is gone. */
export async function loadLiveStatus(deps: Pick<LiveDeps, "sql">, videoId: number): Promise<LiveStatus | null> {
  const video = await findVideo(deps.sql, { id: videoId });
  return video ? liveStatus(video.uuid, await q.findLiveByVideoId(deps.sql, videoId)) : null;
}
