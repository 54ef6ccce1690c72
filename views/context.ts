import type { I18n, Locale, MessageKey, Params } from "../src/i18n/i18n.ts";

/** What every page needs besides its own props: who is looking, the CSRF token, asset URLs. */

export interface Viewer {
  readonly id: number;
  readonly handle: string;
  readonly displayName: string;
  readonly role: "user" | "admin";
  readonly avatarUrl: string | null;
  readonly unreadNotifications: number;
  readonly sensitivePolicy: "show" | "blur" | "hide";
}

export interface AssetUrls {
  readonly css: string;
  readonly htmx: string;
  readonly alpine: string;
  /** The features' small scripts (bell, suggestions, comments, playlists, share), one file. */
  readonly appJs: string;
  /** The HTTP-only player (video.js with VHS): never loads WebRTC code. */
  readonly playerHttp: string;
  /** The P2P player (video.js core, hls.js, P2P Media Loader), for viewers who accepted P2P. */
  readonly playerP2p: string;
  readonly playerCss: string;
  readonly uploadJs: string;
}

export interface PageContext {
  readonly instanceName: string;
  readonly viewer: Viewer | null;
  readonly csrfToken: string;
  readonly assets: AssetUrls;
  /** The request's time, so views can say "3 days ago" without reading a clock. */
  readonly now: Date;
  /** The path being rendered, for "log in and come back" links. */
  readonly path: string;
  readonly query?: string;
  /** The page's language, from the person's setting, the language cookie or Accept-Language. */
  readonly locale: Locale;
  /** Translates a catalog key in the page's language. */
  readonly t: (key: MessageKey, params?: Params) => string;
  /** Localized numbers, dates and ages. */
  readonly i18n: I18n;
}
