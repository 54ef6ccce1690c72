/** The one page layout: header with logo, search and login state; main; footer. */
import type { Children } from "@kitajs/html";
import type { PageContext } from "./context.ts";
import { Avatar } from "./components/avatar.tsx";

export interface LayoutProps {
  readonly page: PageContext;
  readonly title: string;
  readonly description?: string;
  /** Extra tags for <head>: Open Graph, oEmbed discovery, page-specific styles. */
  readonly head?: Children;
  /** Page-specific scripts, loaded after the shared ones. */
  readonly scripts?: readonly string[];
  readonly children?: Children;
}

export function Layout({ page, title, description, head, scripts = [], children }: LayoutProps) {
  const fullTitle = title ? `${title} · ${page.instanceName}` : page.instanceName;
  return (
    <>
      {"<!doctype html>"}
      <html lang="en">
        <head>
          <meta charset="utf-8" />
          <meta name="viewport" content="width=device-width, initial-scale=1" />
          <title safe>{fullTitle}</title>
          {description ? <meta name="description" content={description} /> : ""}
          <meta name="csrf-token" content={page.csrfToken} />
          <meta name="htmx-config" content='{"includeIndicatorStyles":false,"allowScriptTags":false}' />
          <link rel="stylesheet" href={page.assets.css} />
          <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
          <script src={page.assets.htmx} defer></script>
          <script src={page.assets.alpine} defer></script>
          {scripts.map((src) => (
            <script src={src} defer></script>
          ))}
          {head as "safe"}
        </head>
        <body hx-headers={JSON.stringify({ "X-CSRF-Token": page.csrfToken })}>
          <a class="skip" href="#main">
            Skip to content
          </a>
          <Header page={page} />
          <main id="main" class="main" tabindex="-1">
            {/* children are rendered JSX, escaped where their text was written */ children as "safe"}
          </main>
          <footer class="footer">
            <p>
              Powered by <a href="/about">Tubelet</a>, free software for sharing video.
            </p>
          </footer>
        </body>
      </html>
    </>
  );
}

function Header({ page }: { page: PageContext }) {
  const viewer = page.viewer;
  return (
    <header class="header" x-data="{ open: false }">
      <a class="logo" href="/" aria-label={`${page.instanceName} home`}>
        <svg viewBox="0 0 24 24" width="28" height="28" aria-hidden="true">
          <rect x="2" y="4" width="20" height="16" rx="4" fill="currentColor" />
          <path d="M10 8.5v7l6-3.5z" fill="#fff" />
        </svg>
        <span safe>{page.instanceName}</span>
      </a>
      <form class="search" action="/search" method="get" role="search">
        <label class="visually-hidden" for="search-q">
          Search
        </label>
        <input id="search-q" type="search" name="q" placeholder="Search videos and channels" value={page.query ?? ""} maxlength="200" />
      </form>
      <button class="menu-toggle" type="button" x-on:click="open = !open" x-bind:aria-expanded="open" aria-controls="nav" aria-label="Menu">
        ☰
      </button>
      <nav id="nav" class="nav" x-bind:class="{ 'nav-open': open }">
        {viewer ? (
          <>
            <a class="nav-user" href={`/a/${viewer.handle}`}>
              <Avatar url={viewer.avatarUrl} name={viewer.displayName} size={28} />
              <span safe>{viewer.displayName}</span>
            </a>
            <a href="/videos/upload">Upload</a>
            <a href="/my/channels">My channels</a>
            {viewer.role === "admin" ? <a href="/admin/users">Admin</a> : ""}
            <form method="post" action="/logout" class="inline">
              <input type="hidden" name="_csrf" value={page.csrfToken} />
              <button type="submit" class="link">
                Log out
              </button>
            </form>
          </>
        ) : (
          <>
            <a href={`/login?next=${encodeURIComponent(page.path)}`}>Log in</a>
            <a class="button" href="/register">
              Create account
            </a>
          </>
        )}
      </nav>
    </header>
  );
}
