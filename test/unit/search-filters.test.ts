import { describe, expect, test } from "bun:test";
import { HttpError } from "../../src/http/errors.ts";
import { formFilters, hasFilters, parseApiSearch, parseSearchForm, searchFormUrl } from "../../src/search/filters.ts";

function refused(fn: () => unknown): HttpError {
  try {
    fn();
  } catch (error) {
    if (error instanceof HttpError) return error;
    throw error;
  }
  throw new Error("expected an HttpError");
}

describe("the results page's filter bar", () => {
  test("reads every filter and defaults to relevance", () => {
    const form = parseSearchForm({ q: " cats ", duration: "medium", date: "week", language: "ja", channel: "@cooking", type: "live", start: "24" });
    expect(form).toEqual({ q: "cats", duration: "medium", date: "week", language: "ja", channel: "cooking", type: "live", sort: "relevance", start: 24 });
    expect(hasFilters(form)).toBe(true);
    expect(hasFilters(parseSearchForm({ q: "cats", sort: "newest" }))).toBe(false);
  });

  test("turns choices into filters anchored on the request's time", () => {
    const now = new Date("2026-03-10T12:00:00Z");
    const filters = formFilters(parseSearchForm({ duration: "short", date: "today", language: "en", type: "vod", channel: "bob" }), now);
    expect(filters).toEqual({ durationMax: 240, publishedAfter: new Date("2026-03-09T12:00:00Z"), languages: ["en"], isLive: false, channelHandle: "bob" });
    expect(formFilters(parseSearchForm({ duration: "long" }), now)).toEqual({ durationMin: 600 });
    expect(formFilters(parseSearchForm({}), now)).toEqual({});
  });

  test("unknown values are a 400 naming what is allowed", () => {
    const cases: [Record<string, string>, string][] = [
      [{ sort: "random" }, "Unknown sort “random”; use one of: relevance, newest, views, likes."],
      [{ duration: "forever" }, "Unknown duration"],
      [{ date: "decade" }, "Unknown date"],
      [{ language: "xx" }, "Unknown language"],
      [{ type: "podcast" }, "Unknown type"],
      [{ channel: "a b" }, "channel is a channel's handle"],
      [{ start: "-1" }, "start must be a whole number"],
      [{ start: "20000" }, "start can be at most 10000"],
    ];
    for (const [query, message] of cases) {
      const error = refused(() => parseSearchForm(query));
      expect(error.status).toBe(400);
      expect(error.message).toContain(message);
    }
  });

  test("load-more URLs keep the query and the filters, and drop defaults", () => {
    expect(searchFormUrl(parseSearchForm({ q: "a&b", duration: "short", sort: "views" }), 24)).toBe("/search?q=a%26b&duration=short&sort=views&start=24");
    expect(searchFormUrl(parseSearchForm({ q: "x" }), 0)).toBe("/search?q=x");
  });
});

describe("the search API's parameters", () => {
  test("PeerTube's names map to our filters and sorts", () => {
    const parsed = parseApiSearch({
      search: "cats",
      sort: "-views",
      start: "15",
      count: "30",
      durationMin: "60",
      durationMax: "300",
      languageOneOf: ["en", "ja"],
      categoryOneOf: "1,7",
      tagsOneOf: "kitten",
      isLive: "false",
      startDate: "2026-01-01T00:00:00Z",
    });
    expect(parsed).toEqual({
      search: "cats",
      sort: "views",
      start: 15,
      count: 30,
      filters: {
        durationMin: 59.5,
        durationMax: 300.5,
        languages: ["en", "ja"],
        categories: [1, 7],
        tags: ["kitten"],
        isLive: false,
        publishedAfter: new Date("2026-01-01T00:00:00Z"),
      },
    });
    expect(parseApiSearch({}).sort).toBe("relevance");
    expect(parseApiSearch({ sort: "-match" }).sort).toBe("relevance");
    expect(parseApiSearch({ sort: "-createdAt" }).sort).toBe("newest");
    expect(parseApiSearch({}).count).toBe(15);
  });

  test("bad values are a 400 with a message", () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ sort: "-banana" }, "Unknown sort"],
      [{ count: "101" }, "count must be between 1 and 100"],
      [{ count: "0" }, "count must be between 1 and 100"],
      [{ count: "1.5" }, "count must be a whole number"],
      [{ start: "1e3" }, "start must be a whole number"],
      [{ languageOneOf: "klingon" }, "Unknown language"],
      [{ categoryOneOf: "999" }, "categoryOneOf"],
      [{ durationMin: "-3" }, "durationMin is a number of seconds"],
      [{ isLive: "yes" }, "Unknown isLive"],
      [{ startDate: "yesterday-ish" }, "startDate is a date"],
    ];
    for (const [query, message] of cases) {
      const error = refused(() => parseApiSearch(query));
      expect(error.status).toBe(400);
      expect(error.message).toContain(message);
    }
  });
});
