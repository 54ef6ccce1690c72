/** Likes and dislikes: one rating per person and video, counted on the video. */
import type { UserRow } from "../accounts/queries.ts";
import type { Sql } from "../db/client.ts";
import { federateRating, type InteractionDeps } from "../federation/interactions.ts";
import { badRequest, notFound } from "../http/errors.ts";
import type { MessageKey, Params } from "../i18n/i18n.ts";
import type { VideoRow } from "../videos/queries.ts";
import { findVisibleVideo } from "../videos/service.ts";
import * as q from "./queries.ts";

export type Translate = (key: MessageKey, params?: Params) => string;

export interface RateState {
  readonly likes: number;
  readonly dislikes: number;
  readonly mine: q.Rating | null;
}

/** "like", "dislike" or "none" (null); anything else is refused with a message. */
export function parseRating(raw: unknown, t: Translate): q.Rating | null {
  if (raw === "like" || raw === "dislike") return raw;
  if (raw === "none") return null;
  throw badRequest(t("ratings.error.invalid"), { rating: t("ratings.error.invalid") });
}

/** A video this person may see and rate: visible to them and published, else 404. */
export async function videoForRating(sql: Sql, rawId: string, user: UserRow | null, t: Translate): Promise<VideoRow> {
  const video = await findVisibleVideo({ sql }, rawId, user);
  if (!video || video.state !== "published") throw notFound(t("ratings.error.videoNotFound"));
  return video;
}

/**
 * Sets the person's rating (null removes it) and returns the counts as they are afterwards. On a remote video the
 * change also goes to its origin (Like, Dislike or Undo), so the origin's counters hold it too.
 */
export async function rateVideo(deps: InteractionDeps, user: UserRow, video: VideoRow, rating: q.Rating | null): Promise<RateState> {
  const previous = await q.findRating(deps.sql, user.actorId, video.id);
  const counts = await q.setRating(deps.sql, user.actorId, video.id, rating);
  await federateRating(deps, user.actorId, video, { previous, next: rating });
  return { ...counts, mine: rating };
}

/** The person's rating of a video, or null. */
export function ratingOf(sql: Sql, user: UserRow, video: VideoRow): Promise<q.Rating | null> {
  return q.findRating(sql, user.actorId, video.id);
}
