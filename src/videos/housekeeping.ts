/** Periodic clean-up: abandoned resumable uploads past their expiry lose their session row and .part file. */
import { rm } from "node:fs/promises";
import type { Sql } from "../db/client.ts";
import type { Layout } from "../storage/layout.ts";
import { takeExpiredUploadSessions } from "./upload-queries.ts";

/** Removes expired upload sessions; returns how many. */
export async function removeExpiredUploads(deps: { sql: Sql; layout: Layout }): Promise<number> {
  const ids = await takeExpiredUploadSessions(deps.sql);
  await Promise.all(ids.map((id) => rm(deps.layout.uploadPart(id), { force: true })));
  return ids.length;
}
