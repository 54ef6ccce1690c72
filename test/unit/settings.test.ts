/** Pure rules of account settings: choices, PeerTube's names for them, and readable size limits. */
import { describe, expect, test } from "bun:test";
import { parseLocaleChoice, parsePreferences, parseVideoLanguages } from "../../src/settings/service.ts";
import { preferencesFromApi, preferencesJson } from "../../src/settings/api.ts";
import { byteSize } from "../../src/accounts/avatar.ts";
import { HttpError } from "../../src/http/errors.ts";

const refused = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    return error instanceof HttpError ? error.status : "other";
  }
  return "accepted";
};

describe("choices", () => {
  test("video languages: known codes, deduplicated; none means every language", () => {
    expect(parseVideoLanguages(["fr", "ja", "fr"])).toEqual(["fr", "ja"]);
    expect(parseVideoLanguages("de")).toEqual(["de"]);
    expect(parseVideoLanguages([])).toBeNull();
    expect(parseVideoLanguages(null)).toBeNull();
    expect(refused(() => parseVideoLanguages(["fr", "xx"]))).toBe(400);
    expect(refused(() => parseVideoLanguages(["toString"]))).toBe(400);
    expect(refused(() => parseVideoLanguages([3]))).toBe(400);
  });

  test("interface language: en, ja, or auto for the browser's", () => {
    expect(parseLocaleChoice("ja")).toBe("ja");
    expect(parseLocaleChoice("auto")).toBeNull();
    expect(parseLocaleChoice(null)).toBeNull();
    for (const bad of ["", "fr", "EN", 1]) expect(refused(() => parseLocaleChoice(bad))).toBe(400);
  });

  test("only the preferences given are returned, each checked", () => {
    expect(parsePreferences({ sensitivePolicy: "hide" })).toEqual({ sensitivePolicy: "hide" });
    expect(parsePreferences({ p2p: "default", locale: "en" })).toEqual({ p2pPreference: null, locale: "en" });
    expect(parsePreferences({ p2p: true })).toEqual({ p2pPreference: "on" });
    expect(refused(() => parsePreferences({ p2p: "maybe" }))).toBe(400);
    expect(refused(() => parsePreferences({ sensitivePolicy: "nuke" }))).toBe(400);
  });
});

describe("PeerTube's names", () => {
  test("nsfwPolicy, p2pEnabled and videoLanguages map onto ours", () => {
    expect(preferencesFromApi({ nsfwPolicy: "do_not_list", p2pEnabled: false, videoLanguages: ["ja"] })).toEqual({ sensitivePolicy: "hide", p2p: false, videoLanguages: ["ja"] });
    expect(preferencesFromApi({ nsfwPolicy: "display" }).sensitivePolicy).toBe("show");
    expect(preferencesFromApi({})).toEqual({ sensitivePolicy: undefined, p2p: undefined, videoLanguages: undefined });
    expect(refused(() => preferencesFromApi({ nsfwPolicy: "hide" }))).toBe(400);
    expect(refused(() => preferencesFromApi({ nsfwPolicy: "toString" }))).toBe(400);
    expect(refused(() => preferencesFromApi({ p2pEnabled: "yes" }))).toBe(400);
    expect(refused(() => preferencesFromApi({ videoLanguages: "ja" }))).toBe(400);
  });

  test("the user JSON says what applies, with the instance default when no choice was made", () => {
    const user = { sensitivePolicy: "hide", videoLanguages: null, p2pPreference: null } as const;
    expect(preferencesJson(user, "on")).toEqual({ nsfwPolicy: "do_not_list", videoLanguages: null, p2pEnabled: true });
    expect(preferencesJson(user, "ask").p2pEnabled).toBe(false);
    expect(preferencesJson({ ...user, p2pPreference: "on" }, "off").p2pEnabled).toBe(false);
    expect(preferencesJson({ ...user, sensitivePolicy: "show", p2pPreference: "on" }, "ask")).toMatchObject({ nsfwPolicy: "display", p2pEnabled: true });
  });
});

test("sizes read in KB below a megabyte", () => {
  expect(byteSize(2048)).toBe("2 KB");
  expect(byteSize(100)).toBe("1 KB");
  expect(byteSize(4 * 1_048_576)).toBe("4.0 MB");
});
