/** Share links (optionally starting at the current time) and the embed code of a video. */
import { escapeHtml } from "@kitajs/html";
import type { PageContext } from "../context.ts";

export interface ShareProps {
  readonly page: PageContext;
  readonly shortId: string;
  readonly name: string;
  readonly publicUrl: string;
}

/** The size oEmbed announces and the share panel's code uses: 16:9 at YouTube's and PeerTube's default. */
export const EMBED_WIDTH = 560;
export const EMBED_HEIGHT = 315;

/**
 * The `<iframe>` other sites paste, also the `html` of oEmbed answers. The sandbox keeps the embed from
 * navigating the host page; scripts and same-origin are needed for the player and its P2P consent cookie.
 */
export function embedCode(o: { publicUrl: string; shortId: string; title: string; start?: string; width?: number; height?: number }): string {
  const src = `${o.publicUrl}/videos/embed/${o.shortId}${o.start ? `?start=${encodeURIComponent(o.start)}` : ""}`;
  return (
    `<iframe title="${escapeHtml(o.title)}" width="${o.width ?? EMBED_WIDTH}" height="${o.height ?? EMBED_HEIGHT}" src="${escapeHtml(src)}" ` +
    `frameborder="0" allowfullscreen sandbox="allow-same-origin allow-scripts allow-popups"></iframe>`
  );
}

/**
 * The watch page's "Share" button and its panel (public/js/share.js adds the start time and copies). Plain
 * script rather than Alpine, so the watch page loads no Alpine: its start-up would compete with the player for
 * the main thread before the first frame. Without scripts the panel stays closed; the link is the page's own
 * address anyway.
 */
export function Share({ page, shortId, name, publicUrl }: ShareProps) {
  const t = page.t;
  const url = `${publicUrl}/w/${shortId}`;
  const code = embedCode({ publicUrl, shortId, title: name });
  return (
    <div
      class="share"
      data-share
      data-url={url}
      data-embed-url={`${publicUrl}/videos/embed/${shortId}`}
      data-embed-code={code}
      data-copied={t("share.copied")}
      data-copy-failed={t("share.copyFailed")}
    >
      <button type="button" class="button" id="share-button" aria-controls="share-panel" aria-expanded="false" data-share-toggle safe>
        {t("share.button")}
      </button>
      <div class="share-panel" id="share-panel" role="group" aria-labelledby="share-heading" hidden>
        <h2 class="share-heading" id="share-heading" safe>
          {t("share.heading")}
        </h2>
        <label class="share-label" for="share-link" safe>
          {t("share.link")}
        </label>
        <div class="share-row">
          <input id="share-link" type="text" readonly value={url} />
          <button type="button" class="button" data-share-copy="share-link" safe>
            {t("share.copy")}
          </button>
        </div>
        <label class="share-start">
          <input type="checkbox" id="share-start" /> <span safe>{t("share.startAt")}</span> <time id="share-clock">0:00</time>
        </label>
        <label class="share-label" for="share-embed" safe>
          {t("share.embed")}
        </label>
        <textarea id="share-embed" readonly rows="3" safe>
          {code}
        </textarea>
        <div class="share-row share-row-end">
          <span class="share-status muted" id="share-status" role="status" aria-live="polite"></span>
          <button type="button" class="button" data-share-copy="share-embed" safe>
            {t("share.copyEmbed")}
          </button>
        </div>
      </div>
    </div>
  );
}
