/** "Save": add the video to Watch later or another playlist of the viewer's, from the watch page. */
import type { PageContext } from "../context.ts";
import { Csrf } from "./form.tsx";

export interface SaveToPlaylistProps {
  readonly page: PageContext;
  readonly shortId: string;
  readonly inWatchLater: boolean;
}

/** A button opening a menu; the menu's content is fetched the first time it opens (most viewers never do). */
export function SaveToPlaylist({ page, shortId, inWatchLater }: SaveToPlaylistProps) {
  if (!page.viewer) {
    return (
      <a class="button" href={`/login?next=${encodeURIComponent(page.path)}`} title={page.t("playlists.loginToSave")} safe>
        {page.t("playlists.save")}
      </a>
    );
  }
  return (
    <details class="save-playlist" data-playlists>
      <summary class="button">
        <SaveLabel page={page} saved={inWatchLater} />
      </summary>
      <div
        class="save-menu"
        role="group"
        aria-label={page.t("playlists.saveTo")}
        hx-get={`/my/playlists/save-menu?video=${encodeURIComponent(shortId)}`}
        hx-trigger="toggle once from:closest details"
        hx-swap="innerHTML"
      >
        <p class="muted" safe>
          {page.t("common.loading")}
        </p>
      </div>
    </details>
  );
}

/** The button's text; the menu's answers replace it out of band, so it follows Watch later as it changes. */
function SaveLabel({ page, saved, oob = false }: { page: PageContext; saved: boolean; oob?: boolean }) {
  return (
    <span id="save-label" hx-swap-oob={oob ? "true" : undefined} safe>
      {saved ? page.t("playlists.savedButton") : page.t("playlists.save")}
    </span>
  );
}

export interface SaveTargetView {
  readonly shortId: string;
  readonly name: string;
  readonly privacy: 1 | 2 | 3;
  readonly isWatchLater: boolean;
  readonly saved: boolean;
}

export interface SaveMenuProps {
  readonly page: PageContext;
  /** The video being saved. */
  readonly shortId: string;
  /** Watch later first. */
  readonly targets: readonly SaveTargetView[];
  /** A refused tick (the playlist is full, say), shown above the list. */
  readonly saveError?: string;
  /** A refused "new playlist" with what was typed, shown again beside the form. */
  readonly error?: string;
  readonly newName?: string;
}

/** The menu's content: one checkbox per playlist (ticking saves, unticking removes) and a new-playlist form. */
export function SaveMenu({ page, shortId, targets, saveError, error, newName }: SaveMenuProps) {
  const t = page.t;
  const privacyLabel = { 1: t("common.public"), 2: t("common.unlisted"), 3: t("common.private") } as const;
  return (
    <>
      <p class="save-menu-title" safe>
        {t("playlists.saveTo")}
      </p>
      {saveError ? (
        <p class="error" role="alert" safe>
          {saveError}
        </p>
      ) : (
        ""
      )}
      <ul class="save-list">
        {targets.map((target) => (
          <li>
            <label>
              <input
                type="checkbox"
                name="saved"
                value="on"
                checked={target.saved}
                hx-post="/my/playlists/save"
                hx-vals={JSON.stringify({ playlist: target.shortId, video: shortId })}
                hx-trigger="change"
                hx-target="closest .save-menu"
                hx-swap="innerHTML"
              />
              <span class="save-name" safe>
                {target.name}
              </span>
              <span class="muted save-privacy" safe>
                {privacyLabel[target.privacy]}
              </span>
            </label>
          </li>
        ))}
      </ul>
      <form class="save-new" method="post" action="/my/playlists" hx-post="/my/playlists" hx-target="closest .save-menu" hx-swap="innerHTML">
        <Csrf token={page.csrfToken} />
        <input type="hidden" name="video" value={shortId} />
        <label for="save-new-name" safe>
          {t("playlists.newPlaylist")}
        </label>
        <input id="save-new-name" name="name" maxlength="120" required value={newName ?? ""} aria-invalid={error ? "true" : undefined} />
        <select name="privacy" aria-label={t("playlists.privacy")}>
          <option value="3" safe>
            {privacyLabel[3]}
          </option>
          <option value="2" safe>
            {privacyLabel[2]}
          </option>
          <option value="1" safe>
            {privacyLabel[1]}
          </option>
        </select>
        <button class="button" type="submit" safe>
          {t("playlists.createAndSave")}
        </button>
        {error ? (
          <p class="error" role="alert" safe>
            {error}
          </p>
        ) : (
          ""
        )}
      </form>
      <SaveLabel page={page} saved={targets.some((x) => x.isWatchLater && x.saved)} oob />
    </>
  );
}
