/** The one page layout: header with logo, search and login state; main; footer. */
import type { Children } from "@kitajs/html";
import type { PageContext } from "./context.ts";
import { Avatar } from "./components/avatar.tsx";
import { Bell } from "./components/bell.tsx";
import { SearchBox } from "./components/search-box.tsx";
import { LOCALES, type MessageKey } from "../src/i18n/i18n.ts";

/** Each language named in itself, for the switcher. */
const LANGUAGE_NAMES: Readonly<Record<(typeof LOCALES)[number], string>> = { en: "English", ja: "日本語" };

export interface LayoutProps {
  readonly page: PageContext;
  readonly title: string;
  readonly description?: string;
  /** Extra tags for <head>: Open Graph, oEmbed discovery, page-specific styles. */
  readonly head?: Children;
  /** Page-specific scripts (the player), run before the shared ones. */
  readonly scripts?: readonly string[];
  readonly children?: Children;
}

/** Alpine (~18 KB compressed) is only sent to pages that use it; the header and footer work without it. */
function usesAlpine(children: Children): boolean {
  const html = Array.isArray(children) ? children.join("") : children;
  // Anything not yet a string (an async component) might use Alpine: load it rather than break the page.
  return typeof html !== "string" || html.includes("x-data");
}

export function Layout({ page, title, description, head, scripts = [], children }: LayoutProps) {
  const fullTitle = title ? `${title} · ${page.instanceName}` : page.instanceName;
  return (
    <>
      {"<!doctype html>"}
      <html lang={page.locale}>
        <head>
          <meta charset="utf-8" />
          <meta name="viewport" content="width=device-width, initial-scale=1" />
          <title safe>{fullTitle}</title>
          {description ? <meta name="description" content={description} /> : ""}
          <meta name="csrf-token" content={page.csrfToken} />
          <meta name="htmx-config" content='{"includeIndicatorStyles":false,"allowScriptTags":false}' />
          <link rel="stylesheet" href={page.assets.css} />
          <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
          {/* Deferred scripts run in order: the page's own (the player) first, so the video starts loading
              before htmx and Alpine spend their start-up time on the main thread. */}
          {scripts.map((src) => (
            <script src={src} defer></script>
          ))}
          <script src={page.assets.htmx} defer></script>
          <script src={page.assets.appJs} defer></script>
          {usesAlpine(children) ? <script src={page.assets.alpine} defer></script> : ""}
          {head as "safe"}
        </head>
        <body hx-headers={JSON.stringify({ "X-CSRF-Token": page.csrfToken })}>
          <a class="skip" href="#main" safe>
            {page.t("layout.skip")}
          </a>
          <Header page={page} />
          <main id="main" class="main" tabindex="-1">
            {/* children are rendered JSX, escaped where their text was written */ children as "safe"}
          </main>
          <Footer page={page} />
        </body>
      </html>
    </>
  );
}

function Header({ page }: { page: PageContext }) {
  const viewer = page.viewer;
  const t = page.t;
  return (
    <header class="header">
      <a class="logo" href="/" aria-label={t("layout.home", { name: page.instanceName })}>
        <svg viewBox="0 0 24 24" width="28" height="28" aria-hidden="true">
          <rect x="2" y="4" width="20" height="16" rx="4" fill="currentColor" />
          <path d="M10 8.5v7l6-3.5z" fill="#fff" />
        </svg>
        <span safe>{page.instanceName}</span>
      </a>
      <SearchBox page={page} />
      {viewer ? <Bell page={page} viewer={viewer} /> : ""}
      <button class="menu-toggle" type="button" aria-expanded="false" aria-controls="nav" aria-label={t("layout.menu")}>
        ☰
      </button>
      <nav id="nav" class="nav">
        <Links page={page} links={[["/browse/recent", "layout.browse"]]} />
        {viewer ? (
          <>
            <Links page={page} links={[["/my/subscriptions", "layout.subscriptions"], ["/my/playlists", "layout.playlists"], ["/videos/upload", "layout.upload"]]} />
            <AccountMenu page={page} viewer={viewer} />
          </>
        ) : (
          <>
            <a href={`/login?next=${encodeURIComponent(page.path)}`} safe>
              {t("layout.login")}
            </a>
            <a class="button" href="/register" safe>
              {t("layout.register")}
            </a>
          </>
        )}
      </nav>
    </header>
  );
}

/**
 * The signed-in account's own pages behind its name: the header then keeps room for the search box at laptop
 * widths, even for an administrator. A native disclosure, so it works without JavaScript; layout.js closes it
 * on a click elsewhere or Escape.
 */
function AccountMenu({ page, viewer }: { page: PageContext; viewer: NonNullable<PageContext["viewer"]> }) {
  const t = page.t;
  return (
    <details class="account-menu">
      <summary class="nav-user">
        <Avatar url={viewer.avatarUrl} name={viewer.displayName} size={28} />
        <span safe>{viewer.displayName}</span>
      </summary>
      <div class="account-menu-panel">
        <Links
          page={page}
          links={[
            [`/a/${viewer.handle}`, "layout.profile"],
            ["/my/channels", "layout.myChannels"],
            ["/videos/live/new", "layout.goLive"],
            ...(viewer.role === "admin" ? [["/admin/users", "layout.admin"] as const] : []),
            ["/settings", "layout.settings"],
          ]}
        />
        <form method="post" action="/logout" class="inline">
          <input type="hidden" name="_csrf" value={page.csrfToken} />
          <button type="submit" class="link" safe>
            {t("layout.logout")}
          </button>
        </form>
      </div>
    </details>
  );
}

/** Plain links whose text is a catalog message. */
function Links({ page, links }: { page: PageContext; links: readonly (readonly [href: string, label: MessageKey])[] }) {
  return (
    <>
      {links.map(([href, label]) => (
        <a href={href} safe>
          {page.t(label)}
        </a>
      ))}
    </>
  );
}

/** The footer, with the language switcher (it posts, so it works without JavaScript). */
function Footer({ page }: { page: PageContext }) {
  const [before, after] = page.t("layout.footer", { link: "\u0000" }).split("\u0000");
  return (
    <footer class="footer">
      <p>
        <span safe>{before ?? ""}</span>
        <a href="/about">Tubelet</a>
        <span safe>{after ?? ""}</span>
      </p>
      <form method="post" action="/settings/locale" class="language-switch">
        <input type="hidden" name="_csrf" value={page.csrfToken} />
        <input type="hidden" name="next" value={page.path} />
        <label>
          <span safe>{page.t("layout.language")}</span>{" "}
          <select name="locale" class="autosubmit">
            {LOCALES.map((code) => (
              <option value={code} selected={code === page.locale} safe>
                {LANGUAGE_NAMES[code]}
              </option>
            ))}
          </select>
        </label>
        <noscript>
          <button type="submit" class="link" safe>
            {page.t("common.save")}
          </button>
        </noscript>
      </form>
    </footer>
  );
}
