/** URLs of files under the data folder. They live under /static/, which Caddy serves directly in production. */
import type { Config } from "../config.ts";

export const STATIC_PREFIX = "/static/";

/** Path-only URL for pages of this instance; null stays null. */
export function staticUrl(relativePath: string | null): string | null {
  return relativePath ? STATIC_PREFIX + relativePath : null;
}

/** Absolute URL, for the API and federation. */
export function absoluteUrl(config: Config, path: string): string {
  return config.publicUrl + (path.startsWith("/") ? path : `/${path}`);
}
