/** Avatars of actors (accounts and channels): resized to a square JPEG under data/avatars/, one file per actor. */
import { mkdir, rename, rm } from "node:fs/promises";
import { join } from "node:path";
import type { Sql } from "postgres";
import type { Config } from "../config.ts";
import { HttpError } from "../http/errors.ts";
import { i18nFor, type MessageKey } from "../i18n/i18n.ts";
import { ImageError, resizeAvatar } from "../media/image.ts";
import { setActorAvatar } from "../channels/queries.ts";
import { randomToken } from "./tokens.ts";

export interface AvatarDeps {
  readonly sql: Sql;
  readonly config: Pick<Config, "dataDir" | "maxAvatarBytes">;
}

/** An error in English for the API, with its catalog key so pages show it in their own language. */
function keyed(status: number, key: MessageKey): HttpError {
  return new HttpError(status, i18nFor("en").t(key), undefined, undefined, key);
}

/** "512 KB" or "4.0 MB": small limits (tests, tight instances) still read sensibly. */
export function byteSize(bytes: number): string {
  return bytes < 1_048_576 ? `${Math.max(1, Math.round(bytes / 1024))} KB` : `${(bytes / 1_048_576).toFixed(1)} MB`;
}

/**
 * Checks and resizes an uploaded image, points the actor at it and removes the previous file. Every
 * intermediate file lives in data/tmp/ and is removed on failure, so a refused upload leaves nothing behind.
 */
export async function replaceActorAvatar(deps: AvatarDeps, actorId: number, file: unknown): Promise<string> {
  const { dataDir, maxAvatarBytes } = deps.config;
  if (!(file instanceof Blob) || file.size === 0) throw keyed(400, "settings.error.noFile");
  if (file.size > maxAvatarBytes) {
    throw new HttpError(413, `That image is ${byteSize(file.size)}; the limit is ${byteSize(maxAvatarBytes)}.`);
  }
  const tmpDir = join(dataDir, "tmp");
  await Promise.all([mkdir(join(dataDir, "avatars"), { recursive: true }), mkdir(tmpDir, { recursive: true })]);
  const name = `${actorId}-${randomToken().slice(0, 12)}`;
  const input = join(tmpDir, `${name}.upload`);
  const staged = join(tmpDir, `${name}.jpg`);
  const relative = `avatars/${name}.jpg`;
  try {
    await Bun.write(input, file);
    await resizeAvatar(input, staged);
    await rename(staged, join(dataDir, relative));
  } catch (error) {
    await rm(staged, { force: true });
    if (error instanceof ImageError) throw keyed(415, "settings.error.notImage");
    throw error;
  } finally {
    await rm(input, { force: true });
  }
  try {
    const previous = await setActorAvatar(deps.sql, actorId, relative);
    if (previous) await rm(join(dataDir, previous), { force: true });
  } catch (error) {
    await rm(join(dataDir, relative), { force: true });
    throw error;
  }
  return relative;
}

/** Removes the actor's avatar, row and file; the letter avatar shows again. */
export async function removeActorAvatar(deps: AvatarDeps, actorId: number): Promise<void> {
  const previous = await setActorAvatar(deps.sql, actorId, null);
  if (previous) await rm(join(deps.config.dataDir, previous), { force: true });
}
