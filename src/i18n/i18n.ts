/**
 * Translation and localized formatting. Catalogs are plain objects, one per language; the English one
 * defines the keys, and TypeScript insists every other catalog has them all.
 */
import { en } from "./en.ts";
import { ja } from "./ja.ts";

export type MessageKey = keyof typeof en;
/** A message is a string with {name} placeholders, or plural forms chosen by the `count` parameter. */
export type Message = string | { readonly one?: string; readonly other: string };
export type Catalog = { readonly [K in MessageKey]: Message };
export type Params = Readonly<Record<string, string | number>>;

export const LOCALES = ["en", "ja"] as const;
export type Locale = (typeof LOCALES)[number];

const CATALOGS: Readonly<Record<Locale, Catalog>> = { en, ja };

export interface I18n {
  readonly locale: Locale;
  /** The message for `key` in this language, with {placeholders} filled; numbers are localized. */
  t(key: MessageKey, params?: Params): string;
  /** 1234 → "1,234". */
  number(n: number): string;
  /** A calendar date: "Nov 23, 2026" / "2026年11月23日". */
  date(d: Date): string;
  /** "3 days ago" / "3 日前", relative to `now` (views get the request's time, never read a clock). */
  age(d: Date, now: Date): string;
}

export function isLocale(value: unknown): value is Locale {
  return typeof value === "string" && (LOCALES as readonly string[]).includes(value);
}

/** The best supported language for an Accept-Language header, honouring q-values; English otherwise. */
export function negotiateLocale(header: string | null | undefined): Locale {
  if (!header) return "en";
  const ranked = header
    .split(",")
    .map((part, index) => {
      const [tag = "", ...rest] = part.trim().split(";");
      const q = rest.map((r) => /^\s*q=([\d.]+)\s*$/.exec(r)?.[1]).find(Boolean);
      return { base: tag.trim().toLowerCase().split("-")[0] ?? "", q: q === undefined ? 1 : Number(q), index };
    })
    .filter((entry) => entry.q > 0 && Number.isFinite(entry.q))
    .sort((a, b) => b.q - a.q || a.index - b.index);
  return ranked.map((entry) => entry.base).find(isLocale) ?? "en";
}

const AGE_UNITS: readonly [number, Intl.RelativeTimeFormatUnit][] = [
  [365 * 86_400, "year"],
  [30 * 86_400, "month"],
  [7 * 86_400, "week"],
  [86_400, "day"],
  [3600, "hour"],
  [60, "minute"],
];

/** A message split once into text and placeholder names: odd indexes are names. */
type Compiled = readonly string[];
type CompiledCatalog = Readonly<Record<string, Compiled | { readonly one?: Compiled; readonly other: Compiled }>>;

const compile = (text: string): Compiled => text.split(/\{(\w+)\}/);

/** Pages call `t` dozens of times per render (every card of a grid): placeholders are found once, at start-up. */
function compileCatalog(catalog: Catalog): CompiledCatalog {
  return Object.fromEntries(
    Object.entries({ ...en, ...catalog }).map(([key, message]) => [
      key,
      typeof message === "string" ? compile(message) : { one: message.one === undefined ? undefined : compile(message.one), other: compile(message.other) },
    ]),
  );
}

function createI18n(locale: Locale): I18n {
  const compiled = compileCatalog(CATALOGS[locale]);
  const numbers = new Intl.NumberFormat(locale);
  const plurals = new Intl.PluralRules(locale);
  const dates = new Intl.DateTimeFormat(locale, { year: "numeric", month: "short", day: "numeric", timeZone: "UTC" });
  const relative = new Intl.RelativeTimeFormat(locale, { numeric: "always" });
  const fill = (parts: Compiled, params: Params | undefined): string => {
    if (parts.length === 1) return parts[0]!;
    let out = parts[0]!;
    for (let i = 1; i < parts.length; i += 2) {
      const value = params?.[parts[i]!];
      out += (value === undefined ? `{${parts[i]}}` : typeof value === "number" ? numbers.format(value) : value) + parts[i + 1]!;
    }
    return out;
  };
  return {
    locale,
    t(key, params) {
      const message = compiled[key]!;
      if (Array.isArray(message)) return fill(message, params);
      const plural = message as { readonly one?: Compiled; readonly other: Compiled };
      const count = Number(params?.count ?? 0);
      return fill(plurals.select(count) === "one" && plural.one !== undefined ? plural.one : plural.other, params);
    },
    number: (n) => numbers.format(n),
    date: (d) => dates.format(d),
    age(d, now) {
      const seconds = Math.max(0, (now.getTime() - d.getTime()) / 1000);
      for (const [size, unit] of AGE_UNITS) {
        const n = Math.floor(seconds / size);
        if (n >= 1) return relative.format(-n, unit);
      }
      return fill(compiled["time.justNow"] as Compiled, undefined);
    },
  };
}

/** One ready translator per language, built once: they hold no state, only formatters. */
const TRANSLATORS: Readonly<Record<Locale, I18n>> = { en: createI18n("en"), ja: createI18n("ja") };

export function i18nFor(locale: Locale): I18n {
  return TRANSLATORS[locale];
}
