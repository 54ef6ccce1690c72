/** All SQL of channels. A channel is a group actor owned by one user. */
import type { Db as Sql } from "../db/client.ts";
import type { KeyPairPem } from "../federation/keys.ts";

export interface ChannelRow {
  id: number;
  actorId: number;
  ownerId: number;
  handle: string;
  displayName: string;
  description: string;
  support: string;
  avatarPath: string | null;
  ownerHandle: string;
  ownerDisplayName: string;
  ownerAvatarPath: string | null;
  createdAt: Date;
}

const CHANNEL_SELECT = (sql: Sql) => sql`
  SELECT c.id::int AS id, c.actor_id::int AS actor_id, coalesce(c.owner_id, 0)::int AS owner_id, a.handle, a.display_name,
         a.description, c.support, a.avatar_path, oa.handle AS owner_handle, oa.display_name AS owner_display_name,
         oa.avatar_path AS owner_avatar_path, c.created_at
  FROM channels c
  JOIN actors a ON a.id = c.actor_id
  LEFT JOIN users u ON u.id = c.owner_id
  JOIN actors oa ON oa.id = coalesce(u.actor_id, c.account_actor_id, c.actor_id)`;

export async function insertChannel(
  sql: Sql,
  channel: { ownerId: number; handle: string; displayName: string; description: string; support: string; keys?: KeyPairPem },
): Promise<number> {
  const [row] = await sql<{ id: number }[]>`
    WITH actor AS (
      INSERT INTO actors (handle, kind, display_name, description, public_key_pem, private_key_pem)
      VALUES (${channel.handle}, 'group', ${channel.displayName}, ${channel.description},
              ${channel.keys?.publicKeyPem ?? null}, ${channel.keys?.privateKeyPem ?? null})
      RETURNING id
    )
    INSERT INTO channels (actor_id, owner_id, support)
    SELECT id, ${channel.ownerId}, ${channel.support} FROM actor
    RETURNING id::int`;
  return row!.id;
}

/** A local channel by handle (remote channels share handles across instances, so they are never found here). */
export async function findChannelByHandle(sql: Sql, handle: string): Promise<ChannelRow | null> {
  const [row] = await sql<ChannelRow[]>`${CHANNEL_SELECT(sql)} WHERE a.handle = ${handle} AND a.domain IS NULL`;
  return row ?? null;
}

export async function findChannelById(sql: Sql, id: number): Promise<ChannelRow | null> {
  const [row] = await sql<ChannelRow[]>`${CHANNEL_SELECT(sql)} WHERE c.id = ${id}`;
  return row ?? null;
}

export async function listChannelsOfOwner(sql: Sql, ownerId: number): Promise<ChannelRow[]> {
  return sql<ChannelRow[]>`${CHANNEL_SELECT(sql)} WHERE c.owner_id = ${ownerId} ORDER BY c.created_at, c.id`;
}

export async function listNewestChannels(sql: Sql, limit: number): Promise<ChannelRow[]> {
  return sql<ChannelRow[]>`${CHANNEL_SELECT(sql)} WHERE a.domain IS NULL ORDER BY c.created_at DESC, c.id DESC LIMIT ${limit}`;
}

export async function countChannelsOfOwner(sql: Sql, ownerId: number): Promise<number> {
  const [row] = await sql<{ n: number }[]>`SELECT count(*)::int AS n FROM channels WHERE owner_id = ${ownerId}`;
  return row!.n;
}

export async function updateChannel(
  sql: Sql,
  actorId: number,
  fields: { displayName: string; description: string; support: string },
): Promise<void> {
  await sql`
    WITH a AS (
      UPDATE actors SET display_name = ${fields.displayName}, description = ${fields.description}, updated_at = now()
      WHERE id = ${actorId}
    )
    UPDATE channels SET support = ${fields.support} WHERE actor_id = ${actorId}`;
}

export async function setActorAvatar(sql: Sql, actorId: number, avatarPath: string | null): Promise<string | null> {
  const [row] = await sql<{ previous: string | null }[]>`
    UPDATE actors new SET avatar_path = ${avatarPath}, updated_at = now()
    FROM actors old WHERE new.id = old.id AND new.id = ${actorId}
    RETURNING old.avatar_path AS previous`;
  return row?.previous ?? null;
}

/** Deletes the channel's actor (the channel row follows by cascade); returns the avatar to remove from disk. */
export async function deleteChannelActor(sql: Sql, actorId: number): Promise<{ avatarPath: string | null } | null> {
  const [row] = await sql<{ avatarPath: string | null }[]>`
    DELETE FROM actors WHERE id = ${actorId} AND kind = 'group' RETURNING avatar_path`;
  return row ?? null;
}
