/** Formatting for views: durations, language names and messages with markup inside. Pure: no clock, no globals. */
import type { Locale } from "../src/i18n/i18n.ts";

/** 75 → "1:15", 3725 → "1:02:05". */
export function formatDuration(seconds: number): string {
  const total = Math.max(0, Math.round(seconds));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${s}` : `${m}:${s}`;
}

/** Stands for the part of a message the view renders as markup (a link, a name in <strong>). */
export const SLOT = "\u0000";

/**
 * The text before and after SLOT in a translated message, so the view can put an element between them:
 * word order differs between languages ("By {owner}" / "運営: {owner}", "Joined {date}" / "{date}に参加").
 */
export function aroundSlot(message: string): [string, string] {
  const at = message.indexOf(SLOT);
  return at < 0 ? [message, ""] : [message.slice(0, at), message.slice(at + SLOT.length)];
}

/** A language's name in the page's language: ("ja", "en") → "Japanese", ("ja", "ja") → "日本語". */
export function languageName(code: string, locale: Locale, fallback: string = code): string {
  try {
    return new Intl.DisplayNames(locale, { type: "language" }).of(code) ?? fallback;
  } catch {
    return fallback;
  }
}
