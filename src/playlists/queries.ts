/** All SQL of playlists and their elements. */
import type { Db as Sql } from "../db/client.ts";

export type PlaylistPrivacy = 1 | 2 | 3;
export type PlaylistKind = "regular" | "watch_later";

export interface PlaylistRow {
  id: number;
  uuid: string;
  shortId: string;
  ownerId: number;
  ownerActorId: number;
  ownerHandle: string;
  ownerDisplayName: string;
  ownerAvatarPath: string | null;
  channelId: number | null;
  channelHandle: string | null;
  channelDisplayName: string | null;
  name: string;
  description: string;
  privacy: PlaylistPrivacy;
  kind: PlaylistKind;
  createdAt: Date;
  updatedAt: Date;
  videosLength: number;
  /** The first element's video that the person looking may see, for the thumbnail; null when none. */
  thumbnailUuid: string | null;
}

/** One element with what the list beside the player shows; `position` is its rank, 1..n. */
export interface ElementRow {
  id: number;
  position: number;
  videoId: number;
  videoUuid: string;
  videoShortId: string;
  name: string;
  duration: number;
  state: "queued" | "transcoding" | "published" | "failed";
  privacy: PlaylistPrivacy;
  sensitive: boolean;
  channelHandle: string;
  channelDisplayName: string;
  videoOwnerId: number;
}

/** `viewerId` (0 for visitors) decides which videos may lend their thumbnail. */
const PLAYLIST_SELECT = (sql: Sql, viewerId: number) => sql`
  SELECT p.id::int AS id, p.uuid::text AS uuid, p.short_id, p.owner_id::int AS owner_id, oa.id::int AS owner_actor_id,
         oa.handle AS owner_handle, oa.display_name AS owner_display_name, oa.avatar_path AS owner_avatar_path,
         p.channel_id::int AS channel_id, ca.handle AS channel_handle, ca.display_name AS channel_display_name,
         p.name, p.description, p.privacy, p.kind, p.created_at, p.updated_at,
         (SELECT count(*)::int FROM playlist_elements e WHERE e.playlist_id = p.id) AS videos_length,
         (SELECT v.uuid::text FROM playlist_elements e
            JOIN videos v ON v.id = e.video_id JOIN channels vc ON vc.id = v.channel_id
          WHERE e.playlist_id = p.id AND v.state = 'published' AND (v.privacy <> 3 OR vc.owner_id = ${viewerId})
          ORDER BY e.position, e.id LIMIT 1) AS thumbnail_uuid
  FROM playlists p
  JOIN users u ON u.id = p.owner_id
  JOIN actors oa ON oa.id = u.actor_id
  LEFT JOIN channels c ON c.id = p.channel_id
  LEFT JOIN actors ca ON ca.id = c.actor_id`;

export type PlaylistKey = { id: number } | { uuid: string } | { shortId: string };

export async function findPlaylist(sql: Sql, key: PlaylistKey, viewerId: number): Promise<PlaylistRow | null> {
  const where =
    "id" in key ? sql`p.id = ${key.id}` : "uuid" in key ? sql`p.uuid = ${key.uuid}::uuid` : sql`p.short_id = ${key.shortId}`;
  const [row] = await sql<PlaylistRow[]>`${PLAYLIST_SELECT(sql, viewerId)} WHERE ${where}`;
  return row ?? null;
}

/** A user's playlists, Watch later first, then the most recently changed; `publicOnly` for other people's eyes. */
export async function listPlaylistsOfOwner(sql: Sql, ownerId: number, viewerId: number, publicOnly: boolean): Promise<PlaylistRow[]> {
  const privacy = publicOnly ? sql`AND p.privacy = 1` : sql``;
  return sql<PlaylistRow[]>`${PLAYLIST_SELECT(sql, viewerId)} WHERE p.owner_id = ${ownerId} ${privacy}
    ORDER BY (p.kind = 'watch_later') DESC, p.updated_at DESC, p.id DESC LIMIT 200`;
}

/** Regular playlists only: Watch later does not count against the limit. */
export async function countPlaylistsOfOwner(sql: Sql, ownerId: number): Promise<number> {
  const [row] = await sql<{ n: number }[]>`SELECT count(*)::int AS n FROM playlists WHERE owner_id = ${ownerId} AND kind = 'regular'`;
  return row!.n;
}

export interface NewPlaylist {
  uuid: string;
  shortId: string;
  ownerId: number;
  channelId: number | null;
  name: string;
  description: string;
  privacy: PlaylistPrivacy;
}

export async function insertPlaylist(sql: Sql, p: NewPlaylist): Promise<number> {
  const [row] = await sql<{ id: number }[]>`
    INSERT INTO playlists (uuid, short_id, owner_id, channel_id, name, description, privacy)
    VALUES (${p.uuid}, ${p.shortId}, ${p.ownerId}, ${p.channelId}, ${p.name}, ${p.description}, ${p.privacy})
    RETURNING id::int`;
  return row!.id;
}

/** Creates the user's Watch later unless it exists (the partial unique index settles races); returns its id. */
export async function ensureWatchLater(sql: Sql, ownerId: number, ids: { uuid: string; shortId: string }, name: string): Promise<number> {
  await sql`
    INSERT INTO playlists (uuid, short_id, owner_id, name, privacy, kind)
    VALUES (${ids.uuid}, ${ids.shortId}, ${ownerId}, ${name}, 3, 'watch_later')
    ON CONFLICT (owner_id) WHERE kind = 'watch_later' DO NOTHING`;
  const [row] = await sql<{ id: number }[]>`SELECT id::int FROM playlists WHERE owner_id = ${ownerId} AND kind = 'watch_later'`;
  return row!.id;
}

export async function updatePlaylist(
  sql: Sql,
  id: number,
  p: Pick<NewPlaylist, "name" | "description" | "privacy" | "channelId">,
): Promise<void> {
  await sql`
    UPDATE playlists SET name = ${p.name}, description = ${p.description}, privacy = ${p.privacy}, channel_id = ${p.channelId},
           updated_at = now()
    WHERE id = ${id}`;
}

export async function deletePlaylist(sql: Sql, id: number): Promise<void> {
  await sql`DELETE FROM playlists WHERE id = ${id}`;
}

/** Holds the playlist's row until the transaction ends, so changes to its elements happen one at a time. */
export async function lockPlaylist(sql: Sql, id: number): Promise<void> {
  await sql`SELECT id FROM playlists WHERE id = ${id} FOR UPDATE`;
}

/** Holds the user's row, so two concurrent creations cannot both pass the per-user limit. */
export async function lockOwner(sql: Sql, ownerId: number): Promise<void> {
  await sql`SELECT id FROM users WHERE id = ${ownerId} FOR UPDATE`;
}

export async function touchPlaylist(sql: Sql, id: number): Promise<void> {
  await sql`UPDATE playlists SET updated_at = now() WHERE id = ${id}`;
}

/**
 * Renumbers 1..n in the current order. Deleting a video removes its elements by cascade and leaves a gap,
 * so every change starts here; the unique constraint on positions is checked at commit.
 */
export async function normalizePositions(sql: Sql, playlistId: number): Promise<void> {
  await sql`
    UPDATE playlist_elements e SET position = r.n
    FROM (SELECT id, row_number() OVER (ORDER BY position, id)::int AS n FROM playlist_elements WHERE playlist_id = ${playlistId}) r
    WHERE e.id = r.id AND e.position <> r.n`;
}

/** Element ids in position order. */
export async function elementIds(sql: Sql, playlistId: number): Promise<number[]> {
  const rows = await sql<{ id: number }[]>`
    SELECT id::int FROM playlist_elements WHERE playlist_id = ${playlistId} ORDER BY position, id`;
  return rows.map((r) => r.id);
}

export async function findElementOfVideo(sql: Sql, playlistId: number, videoId: number): Promise<number | null> {
  const [row] = await sql<{ id: number }[]>`
    SELECT id::int FROM playlist_elements WHERE playlist_id = ${playlistId} AND video_id = ${videoId} LIMIT 1`;
  return row?.id ?? null;
}

/** Appends at the end; call with the playlist locked and positions normalized. */
export async function appendElement(sql: Sql, playlistId: number, videoId: number): Promise<{ id: number; position: number }> {
  const [row] = await sql<{ id: number; position: number }[]>`
    INSERT INTO playlist_elements (playlist_id, video_id, position)
    SELECT ${playlistId}, ${videoId}, coalesce(max(position), 0) + 1 FROM playlist_elements WHERE playlist_id = ${playlistId}
    RETURNING id::int, position`;
  return row!;
}

export async function deleteElement(sql: Sql, playlistId: number, elementId: number): Promise<boolean> {
  const rows = await sql`DELETE FROM playlist_elements WHERE playlist_id = ${playlistId} AND id = ${elementId}`;
  return rows.count > 0;
}

/** Writes positions 1..n following `ids`, which must be every element of the playlist. */
export async function setOrder(sql: Sql, playlistId: number, ids: readonly number[]): Promise<void> {
  if (ids.length === 0) return;
  await sql`
    UPDATE playlist_elements e SET position = o.n::int
    FROM unnest(${sql.array([...ids])}::bigint[]) WITH ORDINALITY AS o(id, n)
    WHERE e.id = o.id AND e.playlist_id = ${playlistId} AND e.position <> o.n`;
}

/** Every element with its video, in order, numbered 1..n whatever gaps the stored positions have. */
export async function listElements(sql: Sql, playlistId: number): Promise<ElementRow[]> {
  return sql<ElementRow[]>`
    SELECT e.id::int AS id, (row_number() OVER (ORDER BY e.position, e.id))::int AS position, v.id::int AS video_id,
           v.uuid::text AS video_uuid, v.short_id AS video_short_id, v.name, v.duration, v.state, v.privacy, v.sensitive,
           ca.handle AS channel_handle, ca.display_name AS channel_display_name, c.owner_id::int AS video_owner_id
    FROM playlist_elements e
    JOIN videos v ON v.id = e.video_id
    JOIN channels c ON c.id = v.channel_id
    JOIN actors ca ON ca.id = c.actor_id
    WHERE e.playlist_id = ${playlistId}
    ORDER BY e.position, e.id`;
}

/** Which of a user's playlists hold each of these videos, for the save menu and PeerTube's videos-exist. */
export async function elementsOfVideos(
  sql: Sql,
  ownerId: number,
  videoIds: readonly number[],
): Promise<{ videoId: number; playlistId: number; elementId: number }[]> {
  if (videoIds.length === 0) return [];
  return sql<{ videoId: number; playlistId: number; elementId: number }[]>`
    SELECT e.video_id::int AS video_id, e.playlist_id::int AS playlist_id, e.id::int AS element_id
    FROM playlist_elements e JOIN playlists p ON p.id = e.playlist_id
    WHERE p.owner_id = ${ownerId} AND e.video_id = ANY(${sql.array([...videoIds])}::bigint[])
    ORDER BY e.id`;
}
