import { expect, test } from "bun:test";
import { DEFAULT_SCOPE, formatTimeParam, parseTimeParam, readEmbedOptions } from "../../../public/player/page-params.ts";

test("start times in PeerTube's spellings", () => {
  const cases: [string | null, number | null][] = [
    ["30", 30],
    ["30s", 30],
    ["1m30s", 90],
    ["1m", 60],
    ["1h2m3s", 3723],
    ["1h", 3600],
    ["2.5", 2.5],
    ["1:30", 90],
    ["1:02:03", 3723],
    [" 1M30S ", 90],
    ["0", null],
    ["", null],
    [null, null],
    ["-5", null],
    ["abc", null],
    ["1m30x", null],
    ["s", null],
    ["1::3", null],
    ["Infinity", null],
  ];
  for (const [raw, seconds] of cases) expect({ raw, seconds: parseTimeParam(raw) }).toEqual({ raw, seconds });
});

test("share links write the compact form, which reads back to the same second", () => {
  expect(formatTimeParam(5)).toBe("5s");
  expect(formatTimeParam(90.7)).toBe("1m30s");
  expect(formatTimeParam(3600)).toBe("1h0m0s");
  expect(formatTimeParam(3723)).toBe("1h2m3s");
  for (const s of [1, 59, 60, 61, 3599, 3601, 86_399]) expect(parseTimeParam(formatTimeParam(s))).toBe(s);
});

test("embed options: flags are 1 or true, the scope defaults to PeerTube's", () => {
  expect(readEmbedOptions("")).toEqual({ start: null, autoplay: false, muted: false, loop: false, scope: DEFAULT_SCOPE });
  expect(readEmbedOptions("?start=1m30s&autoplay=1&muted=true&loop=1&scope=mine")).toEqual({ start: 90, autoplay: true, muted: true, loop: true, scope: "mine" });
  expect(readEmbedOptions("?autoplay=0&muted=no&loop=")).toMatchObject({ autoplay: false, muted: false, loop: false });
  // jschannel splits method names on "::", so such a scope could never match.
  expect(readEmbedOptions("?scope=a::b").scope).toBe(DEFAULT_SCOPE);
  expect(readEmbedOptions("?start=45&x=1").start).toBe(45);
  expect(readEmbedOptions("?t=45").start).toBeNull();
});
