import { expect, test } from "bun:test";
import { HttpError } from "../../src/http/errors.ts";
import { oembedSize, parseOembedRequest, toOembed } from "../../src/feeds/oembed.ts";
import { embedCode } from "../../views/components/share.tsx";

const ORIGIN = "https://v.example";
const parse = (query: Record<string, string>) => parseOembedRequest(query, ORIGIN);

test("oEmbed accepts watch, PeerTube watch and embed URLs of this instance only", () => {
  expect(parse({ url: `${ORIGIN}/w/abc123` })).toEqual({ videoId: "abc123", start: undefined, maxWidth: undefined, maxHeight: undefined });
  expect(parse({ url: `${ORIGIN}/videos/watch/9c9de5e8-0a1e-484a-b099-e80766180a6d` })?.videoId).toBe("9c9de5e8-0a1e-484a-b099-e80766180a6d");
  expect(parse({ url: `${ORIGIN}/videos/embed/abc123?start=90` })).toMatchObject({ videoId: "abc123", start: "1m30s" });
  expect(parse({ url: `${ORIGIN}/w/abc123?start=junk`, maxwidth: "320", maxheight: "abc" })).toMatchObject({ start: undefined, maxWidth: 320, maxHeight: undefined });
  for (const url of ["https://evil.example/w/abc123", `${ORIGIN}.evil.example/w/abc123`, `${ORIGIN}/w/abc/def`, `${ORIGIN}/c/abc`, "not a url", ""]) {
    expect(parse({ url })).toBeNull();
  }
  expect(() => parse({ url: `${ORIGIN}/w/abc`, format: "xml" })).toThrow(HttpError);
  expect(parse({ url: `${ORIGIN}/w/abc`, format: "json" })?.videoId).toBe("abc");
});

test("sizes shrink to the consumer's maximum and keep 16:9", () => {
  expect(oembedSize()).toEqual({ width: 560, height: 315 });
  expect(oembedSize(320)).toEqual({ width: 320, height: 180 });
  expect(oembedSize(undefined, 90)).toEqual({ width: 160, height: 90 });
  expect(oembedSize(1000, 1000)).toEqual({ width: 560, height: 315 });
});

test("the embed code escapes the title and carries the start time", () => {
  const code = embedCode({ publicUrl: ORIGIN, shortId: "abc", title: `"><script>x</script>`, start: "1m30s" });
  expect(code).toBe(
    `<iframe title="&quot;&gt;&lt;script&gt;x&lt;/script&gt;" width="560" height="315" src="${ORIGIN}/videos/embed/abc?start=1m30s" ` +
      `frameborder="0" allowfullscreen sandbox="allow-same-origin allow-scripts allow-popups"></iframe>`,
  );
  const answer = toOembed(
    { uuid: "u-1", shortId: "abc", name: "Film", channelHandle: "chan", channelDisplayName: "Chan" },
    { publicUrl: ORIGIN, instanceName: "V" },
    { videoId: "abc", start: "5s", maxWidth: 320, maxHeight: undefined },
  );
  expect(answer).toMatchObject({ type: "video", version: "1.0", width: 320, height: 180, thumbnail_url: `${ORIGIN}/static/videos/u-1/thumbnail.jpg`, author_url: `${ORIGIN}/c/chan` });
  expect(answer.html).toBe(embedCode({ publicUrl: ORIGIN, shortId: "abc", title: "Film", start: "5s", width: 320, height: 180 }));
});
