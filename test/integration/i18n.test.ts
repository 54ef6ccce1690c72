/** Pages in the visitor's language (Accept-Language, the language cookie, the account's setting), and the sensitive flag. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createTestApp, type TestApp, type TestClient } from "../helpers/app.ts";
import { defaultChannelId, seedVideo, type SeededVideo } from "../helpers/videos.ts";
import { makeClip } from "../helpers/media.ts";
import { i18nFor } from "../../src/i18n/i18n.ts";

let t: TestApp;
let owner: TestClient;
let stranger: TestClient;
let ownerId: number;
let channelId: number;
let plain: SeededVideo;
let sensitive: SeededVideo;

beforeAll(async () => {
  t = await createTestApp();
  const o = await t.createUser("yuki");
  const s = await t.createUser("stranger");
  ownerId = o.id;
  owner = t.client("198.51.100.60");
  stranger = t.client("198.51.100.61");
  await owner.login(o.username, o.password);
  await stranger.login(s.username, s.password);
  channelId = await defaultChannelId(t.db.sql, o.id);
  plain = await seedVideo(t.db.sql, { channelId, name: "Plain film" });
  sensitive = await seedVideo(t.db.sql, { channelId, name: "Rough film", sensitive: true });
});
afterAll(() => t.close());

/** GETs a page as a browser set to `language` would. */
async function get(client: TestClient, path: string, language?: string): Promise<{ status: number; html: string }> {
  const response = await client.fetch(path, { headers: language ? { "accept-language": language } : {} });
  return { status: response.status, html: await response.text() };
}

describe("the page's language", () => {
  test("the login page in Japanese for Accept-Language: ja, in English otherwise", async () => {
    const ja = await get(t.client(), "/login", "ja-JP,ja;q=0.9,en;q=0.5");
    expect(ja.status).toBe(200);
    expect(ja.html).toContain('<html lang="ja">');
    expect(ja.html).toContain("<h1>ログイン</h1>");
    expect(ja.html).toContain("ユーザー名またはメールアドレス");
    expect(ja.html).toContain("パスワード");
    expect(ja.html).not.toContain("Username or e-mail");

    for (const language of [undefined, "en-GB", "fr-FR,de;q=0.8"]) {
      const en = await get(t.client(), "/login", language);
      expect(en.html).toContain('<html lang="en">');
      expect(en.html).toContain("<h1>Log in</h1>");
      expect(en.html).toContain("Username or e-mail");
    }
  });

  test("the register page in Japanese", async () => {
    const ja = await get(t.client(), "/register", "ja");
    expect(ja.html).toContain('<html lang="ja">');
    expect(ja.html).toContain("<h1>アカウントを作成</h1>");
    expect(ja.html).toContain("表示名（任意）");
    expect(ja.html).toContain("8 文字以上。");
    const en = await get(t.client(), "/register");
    expect(en.html).toContain("Display name (optional)");
    expect(en.html).toContain("At least 8 characters.");
  });

  test("a watch page in Japanese: its own texts, views and age", async () => {
    const ja = await get(t.client(), `/w/${plain.shortId}`, "ja");
    expect(ja.status).toBe(200);
    expect(ja.html).toContain('<html lang="ja">');
    expect(ja.html).toContain("キーボード: ");
    expect(ja.html).toContain("画質");
    expect(ja.html).toContain("0 回視聴");
    expect(ja.html).toContain("Plain film"); // titles are the uploader's, never translated
    const en = await get(t.client(), `/w/${plain.shortId}`);
    expect(en.html).toContain("Keyboard: space or k play/pause");
    expect(en.html).toContain("0 views");
  });

  test("the 404 page in Japanese; the API's problem JSON stays English", async () => {
    const ja = await get(t.client(), "/no/such/page", "ja");
    expect(ja.status).toBe(404);
    expect(ja.html).toContain('<html lang="ja">');
    expect(ja.html).toContain("<title>ページが見つかりません · Tubelet</title>");
    expect(ja.html).toContain("<h1>ページが見つかりません</h1>");
    expect(ja.html).toContain("ホームページに戻る");
    const en = await get(t.client(), "/no/such/page");
    expect(en.html).toContain('<html lang="en">');
    expect(en.html).toContain("<h1>Page not found</h1>");
    expect(en.html).toContain("We could not find that page.");

    // A 404 raised by a route (a missing video) is localized the same way.
    const video = await get(t.client(), "/w/doesNotExist1234567890", "ja");
    expect(video.status).toBe(404);
    expect(video.html).toContain("この動画は存在しないか、見る権限がありません。");

    const api = await t.client().fetch("/api/v1/videos/doesNotExist1234567890", { headers: { "accept-language": "ja" } });
    expect(api.status).toBe(404);
    expect(await api.json()).toMatchObject({ title: "Not Found", detail: "Video not found" });
  });

  test("refusals explain themselves in Japanese: a form without its token, a page for logged-in people", async () => {
    const c = t.client("198.51.100.62");
    const noToken = await c.fetch("/settings/locale", {
      method: "POST",
      body: new URLSearchParams({ locale: "en", next: "/" }),
      headers: { "content-type": "application/x-www-form-urlencoded", "accept-language": "ja" },
    });
    expect(noToken.status).toBe(403);
    expect(await noToken.text()).toContain("このフォームは期限切れか、別のサイトから送信されました。");
    await c.page("/");
    const loginFirst = await c.fetch("/c/yuki_channel/subscribe", {
      method: "POST",
      headers: { "x-csrf-token": c.csrf, "accept-language": "ja", "content-length": "0" },
    });
    expect(loginFirst.status).toBe(401);
    expect(await loginFirst.text()).toContain(i18nFor("ja").t("error.unauthorized"));
  });

  test("the language cookie wins over Accept-Language, on pages and on the 404 page", async () => {
    const c = t.client();
    c.cookies.set("tubelet_locale", "ja");
    expect((await get(c, "/login", "en")).html).toContain("<h1>ログイン</h1>");
    expect((await get(c, "/nothing-here", "en")).html).toContain("<h1>ページが見つかりません</h1>");
    c.cookies.set("tubelet_locale", "en");
    expect((await get(c, "/login", "ja")).html).toContain("<h1>Log in</h1>");
    c.cookies.set("tubelet_locale", "klingon"); // not a language we have: the browser's choice again
    expect((await get(c, "/login", "ja")).html).toContain("<h1>ログイン</h1>");
  });

  test("an account's language wins over the browser's", async () => {
    await t.db.sql`UPDATE users SET locale = 'ja' WHERE id = ${ownerId}`;
    try {
      const page = await get(owner, "/my/channels", "en");
      expect(page.html).toContain('<html lang="ja">');
      expect(page.html).toContain("<h2>チャンネルを作成</h2>");
      const edit = await get(owner, `/w/${plain.shortId}/edit`, "en");
      expect(edit.html).toContain("センシティブな内容（暴力、裸体など）");
      expect(edit.html).toContain('<option value="1">音楽</option>');
      expect(edit.html).toContain('<option value="ja">日本語</option>');
    } finally {
      await t.db.sql`UPDATE users SET locale = NULL WHERE id = ${ownerId}`;
    }
  });
});

describe("the sensitive flag", () => {
  let clip: string;
  beforeAll(async () => {
    clip = await makeClip({ seconds: 1, width: 160, height: 120 });
  });

  async function upload(fields: Record<string, string>) {
    const form = new FormData();
    form.set("name", "Uploaded film");
    form.set("channelId", String(channelId));
    for (const [k, v] of Object.entries(fields)) form.set(k, v);
    form.set("videofile", Bun.file(clip), "clip.mp4");
    await owner.page("/videos/upload");
    const res = await owner.fetch("/api/v1/videos/upload", { method: "POST", body: form, headers: { "x-csrf-token": owner.csrf } });
    expect(res.status).toBe(200);
    return (await res.json()).video as { id: number; uuid: string; shortUUID: string };
  }

  const apiVideo = async (id: number | string) => (await owner.fetch(`/api/v1/videos/${id}`)).json();

  test("the upload and edit forms offer it", async () => {
    expect((await owner.page("/videos/upload")).html).toContain('<input type="checkbox" name="nsfw"/> <span>Sensitive content (violence, nudity…)</span>');
    expect((await owner.page(`/w/${sensitive.shortId}/edit`)).html).toContain('<input type="checkbox" name="nsfw" checked/>');
    expect((await owner.page(`/w/${plain.shortId}/edit`)).html).toContain('<input type="checkbox" name="nsfw"/>');
  });

  test("the upload API takes `nsfw` and the video JSON returns it", async () => {
    const flagged = await upload({ nsfw: "true" });
    const unflagged = await upload({});
    expect(await apiVideo(flagged.id)).toMatchObject({ nsfw: true, name: "Uploaded film" });
    expect(await apiVideo(unflagged.uuid)).toMatchObject({ nsfw: false });
    const [row] = await t.db.sql`SELECT sensitive FROM videos WHERE id = ${flagged.id}`;
    expect(row!.sensitive).toBe(true);
  });

  test("the update API changes it for the owner only, and keeps it when the field is absent", async () => {
    const json = { "content-type": "application/json" };
    const put = (client: TestClient, body: unknown, csrf = client.csrf) =>
      client.fetch(`/api/v1/videos/${plain.uuid}`, { method: "PUT", body: JSON.stringify(body), headers: { ...json, "x-csrf-token": csrf } });
    await owner.page("/");
    await stranger.page("/");
    expect((await put(owner, { nsfw: true })).status).toBe(204);
    expect(await apiVideo(plain.id)).toMatchObject({ nsfw: true });
    expect((await put(owner, { name: "Plain film, renamed" })).status).toBe(204);
    expect(await apiVideo(plain.id)).toMatchObject({ nsfw: true, name: "Plain film, renamed" });
    expect((await put(stranger, { nsfw: false })).status).toBe(403);
    // A session without its CSRF token is no credential for the API.
    expect((await put(owner, { nsfw: false }, "wrong-token")).status).toBe(401);
    expect(await apiVideo(plain.id)).toMatchObject({ nsfw: true });
    expect((await put(owner, { nsfw: "false", name: "Plain film" })).status).toBe(204);
    expect(await apiVideo(plain.id)).toMatchObject({ nsfw: false });
    // Listings carry it too, as PeerTube's do.
    const list = await (await t.client().fetch("/api/v1/videos?count=100")).json();
    expect(list.data.find((v: { uuid: string }) => v.uuid === sensitive.uuid)).toMatchObject({ nsfw: true });
  });

  test("the edit form sets and clears it: an unticked box means not sensitive", async () => {
    await owner.page(`/w/${plain.shortId}/edit`);
    const on = await owner.submit(`/w/${plain.shortId}/edit`, { name: "Plain film", privacy: "1", nsfw: "on" });
    expect(on.status).toBe(303);
    expect(await apiVideo(plain.id)).toMatchObject({ nsfw: true });
    const off = await owner.submit(`/w/${plain.shortId}/edit`, { name: "Plain film", privacy: "1" });
    expect(off.status).toBe(303);
    expect(await apiVideo(plain.id)).toMatchObject({ nsfw: false });
    const forged = await stranger.submit(`/w/${plain.shortId}/edit`, { name: "Plain film", privacy: "1", nsfw: "on" });
    expect(forged.status).toBe(403);
    const noToken = await owner.submit(`/w/${plain.shortId}/edit`, { _csrf: "", name: "Plain film", privacy: "1", nsfw: "on" });
    expect(noToken.status).toBe(403);
    expect(await apiVideo(plain.id)).toMatchObject({ nsfw: false });
  });

  test("the watch page puts a notice and a blurred player before a sensitive video, unless the viewer chose to see such videos", async () => {
    const notice = "This video is marked sensitive";
    const visitor = await get(t.client(), `/w/${sensitive.shortId}`);
    expect(visitor.html).toContain(notice);
    expect(visitor.html).toContain('class="sensitive-cover sensitive-hidden"');
    expect(visitor.html).toContain('x-on:click="shown = true"');
    expect(visitor.html).toContain('id="player"'); // still there, behind the notice
    expect((await get(t.client(), `/w/${sensitive.shortId}`, "ja")).html).toContain("この動画はセンシティブな内容として指定されています");
    expect((await get(t.client(), `/w/${plain.shortId}`)).html).not.toContain(notice);

    for (const [policy, shown] of [["blur", true], ["hide", true], ["show", false]] as const) {
      await t.db.sql`UPDATE users SET sensitive_policy = ${policy} WHERE id = ${ownerId}`;
      const html = (await get(owner, `/w/${sensitive.shortId}`)).html;
      expect(html.includes(notice)).toBe(shown);
      expect(html.includes("sensitive-hidden")).toBe(shown);
    }
    await t.db.sql`UPDATE users SET sensitive_policy = 'blur' WHERE id = ${ownerId}`;
  });
});
