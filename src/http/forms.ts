/** Reading HTML form bodies and redirect targets safely. */

/** A string field of a parsed form body; anything else (missing, file, array) reads as "". */
export function field(body: unknown, name: string): string {
  const value = (body as Record<string, unknown> | null | undefined)?.[name];
  return typeof value === "string" ? value : "";
}

/** Only same-site paths are followed after login, so the link cannot send people elsewhere. */
export function safeNext(next: string | null | undefined, fallback = "/"): string {
  if (!next || !next.startsWith("/") || next.startsWith("//") || next.startsWith("/\\")) return fallback;
  return next.slice(0, 500);
}
