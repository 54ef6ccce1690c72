import { describe, expect, test } from "bun:test";
import { i18nFor, negotiateLocale, type Message, type MessageKey } from "../../src/i18n/i18n.ts";
import { en } from "../../src/i18n/en.ts";
import { ja } from "../../src/i18n/ja.ts";
import { CATEGORIES } from "../../src/videos/metadata.ts";
import { SLOT, aroundSlot, languageName } from "../../views/format.ts";

describe("negotiateLocale", () => {
  test.each([
    ["ja", "ja"],
    ["ja-JP", "ja"],
    ["JA-jp", "ja"],
    ["ja-JP,ja;q=0.9,en-US;q=0.8,en;q=0.7", "ja"],
    ["en-US,en;q=0.9,ja;q=0.8", "en"],
    ["en;q=0.2, ja;q=0.9", "ja"],
    // An unsupported first choice gives way to the next supported one, not straight to English.
    ["fr-FR,fr;q=0.9,ja;q=0.5", "ja"],
    ["fr, de;q=0.8", "en"],
    ["ja;q=0, en", "en"],
    ["ja;q=0", "en"],
    ["*", "en"],
    ["", "en"],
  ])("%p → %p", (header, locale) => {
    expect(negotiateLocale(header)).toBe(locale as "en" | "ja");
  });

  test("no header at all means English", () => {
    expect(negotiateLocale(null)).toBe("en");
    expect(negotiateLocale(undefined)).toBe("en");
  });

  test("equal q-values keep the browser's order", () => {
    expect(negotiateLocale("ja;q=0.8, en;q=0.8")).toBe("ja");
    expect(negotiateLocale("en;q=0.8, ja;q=0.8")).toBe("en");
  });
});

describe("messages", () => {
  const english = i18nFor("en");
  const japanese = i18nFor("ja");

  test("plural forms follow the count in English; Japanese has one form", () => {
    expect(english.t("video.views", { count: 0 })).toBe("0 views");
    expect(english.t("video.views", { count: 1 })).toBe("1 view");
    expect(english.t("video.views", { count: 2 })).toBe("2 views");
    expect(english.t("video.views", { count: 1234 })).toBe("1,234 views");
    expect(japanese.t("video.views", { count: 1 })).toBe("1 回視聴");
    expect(japanese.t("video.views", { count: 1234 })).toBe("1,234 回視聴");
  });

  test("placeholders are filled, numbers localized; a missing parameter leaves its placeholder", () => {
    expect(english.t("auth.handle.available", { handle: "ada" })).toBe("@ada is available.");
    expect(japanese.t("auth.handle.available", { handle: "ada" })).toBe("@ada は使用できます。");
    expect(english.t("watch.state.transcoding", { progress: 40 })).toBe("Processing: 40%");
    expect(english.t("upload.limit")).toBe("Up to {size}; uploads resume after a lost connection.");
  });

  test("numbers and dates in both languages", () => {
    expect(english.number(1234567)).toBe("1,234,567");
    expect(japanese.number(1234567)).toBe("1,234,567");
    const day = new Date(Date.UTC(2026, 10, 23));
    expect(english.date(day)).toBe("Nov 23, 2026");
    expect(japanese.date(day)).toBe("2026年11月23日");
  });

  test("ages relative to the request's time", () => {
    const now = new Date(Date.UTC(2026, 10, 23, 12));
    const ago = (seconds: number) => new Date(now.getTime() - seconds * 1000);
    expect(english.age(ago(3 * 86_400), now)).toBe("3 days ago");
    expect(japanese.age(ago(3 * 86_400), now)).toBe("3 日前");
    expect(english.age(ago(3600), now)).toBe("1 hour ago");
    expect(japanese.age(ago(3600), now)).toBe("1 時間前");
    expect(english.age(ago(20), now)).toBe("just now");
    expect(japanese.age(ago(20), now)).toBe("たった今");
    // A clock slightly behind the database's must not say "in 2 seconds".
    expect(english.age(new Date(now.getTime() + 2000), now)).toBe("just now");
  });
});

describe("catalogs", () => {
  const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
  const forms = (message: Message) => (typeof message === "string" ? { other: message } : message);
  const keys = Object.keys(en) as MessageKey[];

  test("Japanese has every key, none empty, with the same placeholders as English", () => {
    const problems: string[] = [];
    for (const key of keys) {
      const english = forms(en[key]);
      const japanese = (ja as Record<string, Message | undefined>)[key];
      if (japanese === undefined) {
        problems.push(`${key}: missing`);
        continue;
      }
      const translated = forms(japanese);
      for (const text of [translated.other, translated.one].filter((t) => t !== undefined)) {
        if (!text.trim()) problems.push(`${key}: empty`);
        if (placeholders(text).join() !== placeholders(english.other).join()) {
          problems.push(`${key}: {${placeholders(text)}} instead of {${placeholders(english.other)}}`);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  test("English is complete too: no empty messages, and plural forms use the same placeholders", () => {
    for (const key of keys) {
      const message = forms(en[key]);
      expect(message.other.trim()).not.toBe("");
      if (message.one !== undefined) expect(placeholders(message.one)).toEqual(placeholders(message.other));
    }
  });

  test("Japanese has no keys English lacks", () => {
    expect(Object.keys(ja).filter((key) => !(key in en))).toEqual([]);
  });

  test("every video category has a label in the catalogs", () => {
    for (const id of Object.keys(CATEGORIES)) expect(keys).toContain(`video.category.${id}` as MessageKey);
  });
});

describe("view helpers", () => {
  test("aroundSlot splits a message where the view puts markup, in either word order", () => {
    expect(aroundSlot(i18nFor("en").t("channel.by", { owner: SLOT }))).toEqual(["By ", ""]);
    expect(aroundSlot(i18nFor("ja").t("account.joined", { date: SLOT }))).toEqual(["", "に参加"]);
    expect(aroundSlot("no slot")).toEqual(["no slot", ""]);
  });

  test("languageName names a language in the page's language", () => {
    expect(languageName("ja", "en")).toBe("Japanese");
    expect(languageName("en", "ja")).toBe("英語");
    expect(languageName("not a tag!", "en", "Fallback")).toBe("Fallback");
  });
});
