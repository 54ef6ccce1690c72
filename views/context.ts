/** What every page needs besides its own props: who is looking, the CSRF token, asset URLs. */

export interface Viewer {
  readonly id: number;
  readonly handle: string;
  readonly displayName: string;
  readonly role: "user" | "admin";
  readonly avatarUrl: string | null;
}

export interface PageContext {
  readonly instanceName: string;
  readonly viewer: Viewer | null;
  readonly csrfToken: string;
  readonly assets: { readonly css: string; readonly htmx: string; readonly alpine: string };
  /** The path being rendered, for "log in and come back" links. */
  readonly path: string;
  readonly query?: string;
}
