/** Deleting one's own account: its rows (user, actor, channels, videos and everything hanging off them) and its files. */
import { rm } from "node:fs/promises";
import { join } from "node:path";
import type { Layout } from "../storage/layout.ts";
import type { UserRow } from "../accounts/queries.ts";
import { cleanText } from "../accounts/validation.ts";
import { removeVideoFiles } from "../videos/service.ts";
import { confirmPassword, settingsError, type SettingsDeps } from "./service.ts";
import * as q from "./queries.ts";

export interface DeleteAccountDeps extends SettingsDeps {
  readonly layout: Layout;
}

/**
 * Deletes the account after the person typed its username and password. Rows go first, in one transaction,
 * so nobody is served a half-deleted channel; files follow. The last administrator cannot leave, or nobody
 * could run the instance any more.
 */
export async function deleteAccount(deps: DeleteAccountDeps, user: UserRow, input: { username: string; password: string }): Promise<void> {
  if (cleanText(input.username).toLowerCase() !== user.handle) throw settingsError(400, "settings.error.confirmUsername", "username");
  await confirmPassword(deps, user, input.password, "password");
  const files = await deps.sql.begin(async (tx) => {
    if (user.role === "admin" && (await q.lockOtherAdmins(tx, user.id)) === 0) {
      throw settingsError(409, "settings.delete.lastAdmin");
    }
    const found = await q.accountFiles(tx, user.id);
    await q.deleteAccountRows(tx, user.id);
    return found;
  });
  await removeAccountFiles(deps, files);
}

async function removeAccountFiles(deps: DeleteAccountDeps, files: q.AccountFiles): Promise<void> {
  const results = await Promise.allSettled([
    ...files.videos.map((video) => removeVideoFiles(deps, video)),
    ...files.uploadIds.map((id) => rm(deps.layout.uploadPart(id), { force: true })),
    ...files.avatarPaths.map((path) => rm(join(deps.config.dataDir, path), { force: true })),
  ]);
  // The account is gone either way; a file that resists removal is logged for the operator, not shown to the person.
  for (const result of results) if (result.status === "rejected") console.error(`account deletion: ${String(result.reason)}`);
}
