import { describe, expect, test } from "bun:test";
import { classifySearch, likePatterns, localTarget, normalizeQuery, prefixTsQuery, QUERY_MAX } from "../../src/search/query-text.ts";

describe("normalizeQuery", () => {
  test("trims, joins spaces, applies NFKC and caps the length", () => {
    expect(normalizeQuery("  hello   world \n")).toBe("hello world");
    expect(normalizeQuery("ＭＩＮＥＣＲＡＦＴ")).toBe("MINECRAFT");
    expect(normalizeQuery("ｶﾞｰﾃﾞﾝ")).toBe("ガーデン");
    expect(normalizeQuery("a".repeat(500))).toHaveLength(QUERY_MAX);
    expect(normalizeQuery(undefined)).toBe("");
    expect(normalizeQuery(["x"])).toBe("");
  });
});

describe("classifySearch", () => {
  const cases: [string, ReturnType<typeof classifySearch>["kind"]][] = [
    ["", "empty"],
    ["   ", "empty"],
    ["minecraft tutorial", "words"],
    ["@alice@video.example.org", "handle"],
    ["alice@video.example.org", "handle"],
    ["@alice@localhost:9000", "handle"],
    ["alice@home", "words"], // no dot: more likely words than a host
    ["https://video.example.org/w/abc", "url"],
    ["http://localhost:9000/c/cooking", "url"],
    ["ftp://example.org/file", "words"],
    ["https://", "words"],
  ];
  for (const [query, kind] of cases) {
    test(`${JSON.stringify(query)} is ${kind}`, () => {
      expect(classifySearch(query).kind).toBe(kind);
    });
  }

  test("words are lower-case letters and digits only, so they are safe in to_tsquery", () => {
    expect(classifySearch("Don't STOP: 3.5 <b>&|!")).toEqual({ kind: "words", text: "don't stop: 3.5 <b>&|!", words: ["don", "t", "stop", "3", "5", "b"], cjk: false });
    expect(classifySearch("%% ??")).toMatchObject({ kind: "words", words: [] });
    expect(classifySearch("a b c d e f g h i j k")).toMatchObject({ words: ["a", "b", "c", "d", "e", "f", "g", "h"] });
  });

  test("CJK text is flagged for substring matching", () => {
    expect(classifySearch("日本語の動画")).toMatchObject({ kind: "words", cjk: true, words: ["日本語の動画"] });
    expect(classifySearch("minecraft 実況")).toMatchObject({ cjk: true });
    expect(classifySearch("한국어")).toMatchObject({ cjk: true });
    expect(classifySearch("café crème")).toMatchObject({ cjk: false, words: ["café", "crème"] });
  });

  test("handles keep the name and a lower-case host", () => {
    expect(classifySearch("@Alice@Video.Example.org")).toEqual({ kind: "handle", name: "Alice", host: "video.example.org" });
  });
});

describe("prefixTsQuery", () => {
  test("needs every word, the last as a prefix", () => {
    expect(prefixTsQuery(["minecraft", "tuto"])).toBe("minecraft & tuto:*");
    expect(prefixTsQuery(["a"])).toBe("a:*");
  });
});

describe("likePatterns", () => {
  test("escapes LIKE wildcards and splits on spaces", () => {
    expect(likePatterns("50% off_now")).toEqual(["%50\\%%", "%off\\_now%"]);
    expect(likePatterns("a\\b")).toEqual(["%a\\\\b%"]);
    expect(likePatterns("日本 動画")).toEqual(["%日本%", "%動画%"]);
  });
});

describe("localTarget", () => {
  const base = "http://localhost:9000";
  test("videos and channels of this instance", () => {
    expect(localTarget(new URL("http://localhost:9000/w/abcDEF123"), base)).toEqual({ kind: "video", id: "abcDEF123" });
    expect(localTarget(new URL("http://localhost:9000/c/cooking/"), base)).toEqual({ kind: "channel", handle: "cooking" });
  });
  test("other paths and other hosts are not local targets", () => {
    expect(localTarget(new URL("http://localhost:9000/about"), base)).toBeNull();
    expect(localTarget(new URL("http://localhost:9000/w/a/b"), base)).toBeNull();
    expect(localTarget(new URL("https://localhost:9000/w/abc"), base)).toBeNull();
    expect(localTarget(new URL("http://evil.example/w/abc"), base)).toBeNull();
  });
});
