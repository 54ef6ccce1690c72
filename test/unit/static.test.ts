import { describe, expect, test } from "bun:test";
import { contentTypeFor, parseRange, safeJoin } from "../../src/http/static.ts";

describe("parseRange", () => {
  test("no header means the whole file", () => expect(parseRange(null, 100)).toBeNull());
  test("a closed range", () => expect(parseRange("bytes=0-9", 100)).toEqual({ start: 0, end: 9 }));
  test("an open range runs to the end", () => expect(parseRange("bytes=90-", 100)).toEqual({ start: 90, end: 99 }));
  test("a suffix range takes the last bytes", () => expect(parseRange("bytes=-10", 100)).toEqual({ start: 90, end: 99 }));
  test("an end past the size is clamped", () => expect(parseRange("bytes=50-1000", 100)).toEqual({ start: 50, end: 99 }));
  test("a start past the end cannot be satisfied", () => expect(parseRange("bytes=100-", 100)).toBe("invalid"));
  test("reversed bounds cannot be satisfied", () => expect(parseRange("bytes=9-1", 100)).toBe("invalid"));
  test("several ranges are not supported", () => expect(parseRange("bytes=0-1,5-6", 100)).toBe("invalid"));
  test("other units are refused", () => expect(parseRange("items=0-1", 100)).toBe("invalid"));
});

describe("safeJoin", () => {
  test("keeps paths inside the root", () => expect(safeJoin("/srv/data", "avatars/a.jpg")).toBe("/srv/data/avatars/a.jpg"));
  test("refuses ..", () => expect(safeJoin("/srv/data", "../etc/passwd")).toBeNull());
  test("refuses encoded ..", () => expect(safeJoin("/srv/data", "%2e%2e/%2e%2e/etc/passwd")).toBeNull());
  test("refuses the root itself", () => expect(safeJoin("/srv/data", "")).toBeNull());
  test("refuses NUL bytes", () => expect(safeJoin("/srv/data", "a%00.jpg")).toBeNull());
  test("refuses malformed escapes", () => expect(safeJoin("/srv/data", "%E0%A4%A")).toBeNull());
});

test("content types of media files, and bytes for the unknown", () => {
  expect(contentTypeFor("x/master.m3u8")).toBe("application/vnd.apple.mpegurl");
  expect(contentTypeFor("x/seg-1.m4s")).toBe("video/iso.segment");
  expect(contentTypeFor("a.JPG")).toBe("image/jpeg");
  expect(contentTypeFor("evil.html")).toBe("application/octet-stream");
});
