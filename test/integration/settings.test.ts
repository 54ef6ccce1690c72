/** Account settings pages: profile and avatar, password, preferences, language switch, deleting an account. (API: settings-api.test.ts) */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { mkdir, readdir } from "node:fs/promises";
import { join } from "node:path";
import { apiClient, createTestApp, type TestApp, type TestClient } from "../helpers/app.ts";
import { defaultChannelId, seedVideo } from "../helpers/videos.ts";

// Creating the database and hashing passwords (argon2id) on a busy 2-core machine can pass bun's 5 s default.
setDefaultTimeout(20_000);

let t: TestApp;

beforeAll(async () => {
  t = await createTestApp({ TUBELET_P2P: "ask" });
});
afterAll(() => t.close());

let ipCounter = 10;
/** A fresh user, logged in from its own address (so rate limits never mix). */
async function loggedIn(name: string, options: { role?: "user" | "admin" } = {}) {
  const user = await t.createUser(name, options);
  const client = t.client(`198.51.100.${ipCounter++}`);
  await client.login(user.username, user.password);
  await client.page("/settings");
  return { user, client };
}

async function pngBytes(): Promise<Uint8Array<ArrayBuffer>> {
  const proc = Bun.spawn(["ffmpeg", "-v", "error", "-f", "lavfi", "-i", "color=c=blue:s=300x200", "-frames:v", "1", "-f", "image2pipe", "-c:v", "png", "pipe:1"], { stdout: "pipe" });
  const bytes = new Uint8Array(await new Response(proc.stdout).arrayBuffer());
  expect(await proc.exited).toBe(0);
  return bytes;
}

function uploadAvatar(client: TestClient, file: Blob) {
  const form = new FormData();
  form.set("_csrf", client.csrf);
  form.set("avatarfile", file, "me.png");
  return client.fetch("/settings/avatar", { method: "POST", body: form });
}

/** An htmx request: the form comes back alone, not inside a page. */
function htmx(client: TestClient, path: string, fields: Record<string, string | string[]>) {
  const body = new URLSearchParams();
  for (const [k, v] of Object.entries(fields)) for (const one of [v].flat()) body.append(k, one);
  return client.fetch(path, { method: "POST", body, headers: { "content-type": "application/x-www-form-urlencoded", "hx-request": "true", "x-csrf-token": client.csrf } });
}

async function userRow(id: number) {
  const [row] = await t.db.sql`
    SELECT u.locale, u.sensitive_policy, u.video_languages, u.p2p_preference, a.display_name, a.description, a.avatar_path
    FROM users u JOIN actors a ON a.id = u.actor_id WHERE u.id = ${id}`;
  return row!;
}

async function filesUnder(dir: string): Promise<string[]> {
  return readdir(join(t.config.dataDir, dir)).catch(() => []);
}

describe("profile", () => {
  test("display name and bio are saved and shown escaped on the account page", async () => {
    const { user, client } = await loggedIn("profiler");
    expect((await client.page("/settings/profile")).status).toBe(200);
    const res = await client.submit("/settings/profile", { displayName: "Pat <script>x</script>", description: "I film <b>birds</b>." });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/settings/profile?saved=1");
    const account = await t.client().page(`/a/${user.username}`);
    expect(account.html).toContain("Pat &lt;script&gt;x&lt;/script&gt;");
    // Inside a quoted attribute "<" is only text; anywhere else it must be escaped.
    expect(account.html.replace(/"[^"]*"/g, '""')).not.toContain("<script>x");
    expect((await client.page("/settings/profile?saved=1")).html).toContain("Saved.");
  });

  test("htmx gets the form back with a notice; a too long bio is refused with a message and nothing changes", async () => {
    const { user, client } = await loggedIn("profiler2");
    const ok = await htmx(client, "/settings/profile", { displayName: "Second", description: "Short bio" });
    expect(ok.status).toBe(200);
    const fragment = await ok.text();
    expect(fragment).toStartWith("<form");
    expect(fragment).toContain("Saved.");
    expect(fragment).not.toContain("<html");

    const long = await client.submit("/settings/profile", { displayName: "Second", description: "x".repeat(1001) });
    expect(long.status).toBe(400);
    expect(await long.text()).toContain("Description has 1001 characters; the limit is 1000.");
    const empty = await htmx(client, "/settings/profile", { displayName: "   ", description: "" });
    expect(empty.status).toBe(400);
    expect(await empty.text()).toContain("Display name cannot be empty.");
    expect(await userRow(user.id)).toMatchObject({ displayName: "Second", description: "Short bio" });
  });

  test("an avatar is resized and replaces the previous one; the header shows it", async () => {
    const { user, client } = await loggedIn("avatarist");
    const bytes = await pngBytes();
    const first = await uploadAvatar(client, new Blob([bytes], { type: "image/png" }));
    expect(first.status).toBe(303);
    expect(first.headers.get("location")).toBe("/settings/profile?avatar=1");
    const path = (await userRow(user.id)).avatarPath as string;
    expect(path).toMatch(/^avatars\/.+\.jpg$/);
    expect((await client.page("/settings/profile")).html).toContain(`src="/static/${path}"`);
    expect((await uploadAvatar(client, new Blob([bytes], { type: "image/png" }))).status).toBe(303);
    expect(await filesUnder("avatars")).toHaveLength(1);
    expect(await filesUnder("tmp")).toHaveLength(0);

    expect((await client.submit("/settings/avatar/delete", {})).status).toBe(303);
    expect((await userRow(user.id)).avatarPath).toBeNull();
    expect(await filesUnder("avatars")).toHaveLength(0);
  });

  test("a file that is not an image gets 415 and leaves no file behind", async () => {
    const { user, client } = await loggedIn("notimage");
    const res = await uploadAvatar(client, new Blob(["this is no picture"], { type: "image/png" }));
    expect(res.status).toBe(415);
    expect(await res.text()).toContain("That file is not an image we can read.");
    expect((await userRow(user.id)).avatarPath).toBeNull();
    expect(await filesUnder("avatars")).toHaveLength(0);
    expect(await filesUnder("tmp")).toHaveLength(0);
  });

  test("an oversized avatar gets 413 with the limit and leaves no file behind", async () => {
    const small = await createTestApp({ TUBELET_MAX_AVATAR_BYTES: "2048" });
    try {
      const u = await small.createUser("bigface");
      const c = small.client();
      await c.login(u.username, u.password);
      await c.page("/settings/profile");
      const form = new FormData();
      form.set("_csrf", c.csrf);
      form.set("avatarfile", new Blob([new Uint8Array(4096)], { type: "image/png" }), "big.png");
      const res = await c.fetch("/settings/avatar", { method: "POST", body: form });
      expect(res.status).toBe(413);
      expect(await res.text()).toContain("the limit is 2 KB");
      expect(await readdir(join(small.config.dataDir, "avatars")).catch(() => [])).toHaveLength(0);
      expect(await readdir(join(small.config.dataDir, "tmp")).catch(() => [])).toHaveLength(0);
    } finally {
      await small.close();
    }
    // A second app with its own database: slower than the others when the machine is busy.
  }, 30_000);
});

describe("password", () => {
  test("the current password is required; rules are those of registration", async () => {
    const { client } = await loggedIn("changer");
    const wrong = await client.submit("/settings/password", { currentPassword: "Not-It-123", password: "New-Secret-77", passwordConfirm: "New-Secret-77" });
    expect(wrong.status).toBe(400);
    expect(await wrong.text()).toContain("That is not your current password.");
    const mismatch = await client.submit("/settings/password", { currentPassword: "Correct-Horse-42", password: "New-Secret-77", passwordConfirm: "New-Secret-78" });
    expect(mismatch.status).toBe(400);
    expect(await mismatch.text()).toContain("The two new passwords differ.");
    const weak = await htmx(client, "/settings/password", { currentPassword: "Correct-Horse-42", password: "changer-pw-1", passwordConfirm: "changer-pw-1" });
    expect(weak.status).toBe(400);
    expect(await weak.text()).toContain("Your password must not contain your username.");
    // Nothing changed: the old password still logs in.
    expect((await t.client("198.51.100.200").login("changer", "Correct-Horse-42")).status).toBe(303);
  });

  test("a change ends every other session and API token but keeps this one", async () => {
    const { client } = await loggedIn("rotator");
    const elsewhere = t.client("198.51.100.201");
    await elsewhere.login("rotator", "Correct-Horse-42");
    expect((await elsewhere.page("/settings/profile")).status).toBe(200);
    const token = await apiToken("rotator", "Correct-Horse-42");

    const res = await htmx(client, "/settings/password", { currentPassword: "Correct-Horse-42", password: "Fresh-Meadow-93", passwordConfirm: "Fresh-Meadow-93" });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain("Every other session of your account has been logged out.");

    expect((await client.page("/settings/profile")).status).toBe(200);
    const other = await elsewhere.fetch("/settings/profile");
    expect(other.status).toBe(303);
    expect(other.headers.get("location")).toStartWith("/login");
    expect((await api("/api/v1/users/me", { token })).status).toBe(401);
    expect((await t.client("198.51.100.202").login("rotator", "Correct-Horse-42")).status).toBe(401);
    expect((await t.client("198.51.100.203").login("rotator", "Fresh-Meadow-93")).status).toBe(303);
  });
});

describe("preferences", () => {
  test("hiding sensitive videos takes them off the home page", async () => {
    const { user, client } = await loggedIn("careful");
    const channelId = await defaultChannelId(t.db.sql, user.id);
    await seedVideo(t.db.sql, { channelId, name: "Gory surgery film", sensitive: true });
    await seedVideo(t.db.sql, { channelId, name: "Gentle garden film" });
    expect((await client.page("/")).html).toContain("Gory surgery film");

    const res = await client.submit("/settings/preferences", { p2p: "off", sensitivePolicy: "hide", locale: "auto" });
    expect(res.status).toBe(303);
    expect(await userRow(user.id)).toMatchObject({ sensitivePolicy: "hide", p2pPreference: "off", videoLanguages: null, locale: null });
    const home = (await client.page("/")).html;
    expect(home).not.toContain("Gory surgery film");
    expect(home).toContain("Gentle garden film");
  });

  test("the language filter lists only the chosen languages and videos that do not say", async () => {
    const { user, client } = await loggedIn("polyglot");
    const channelId = await defaultChannelId(t.db.sql, user.id);
    await seedVideo(t.db.sql, { channelId, name: "Film en francais", language: "fr" });
    await seedVideo(t.db.sql, { channelId, name: "Film auf Deutsch", language: "de" });
    await seedVideo(t.db.sql, { channelId, name: "Film without words" });

    const res = await htmx(client, "/settings/preferences", { p2p: "default", sensitivePolicy: "blur", videoLanguages: ["fr", "ja"], locale: "auto" });
    expect(res.status).toBe(200);
    const fragment = await res.text();
    expect(fragment).toContain("Saved.");
    expect(fragment).toContain('value="fr" checked');
    expect((await userRow(user.id)).videoLanguages).toEqual(["fr", "ja"]);
    const home = (await client.page("/")).html;
    expect(home).toContain("Film en francais");
    expect(home).toContain("Film without words");
    expect(home).not.toContain("Film auf Deutsch");

    // Ticking nothing lists every language again.
    await client.submit("/settings/preferences", { p2p: "default", sensitivePolicy: "blur", locale: "auto" });
    expect((await userRow(user.id)).videoLanguages).toBeNull();
    expect((await client.page("/")).html).toContain("Film auf Deutsch");
  });

  test("the interface language applies to every page; the browser's language is the fallback", async () => {
    const { user, client } = await loggedIn("nihongo");
    expect((await client.page("/settings")).html).toContain('<html lang="en">');
    const res = await htmx(client, "/settings/preferences", { p2p: "default", sensitivePolicy: "blur", locale: "ja" });
    expect(res.headers.get("hx-redirect")).toBe("/settings?saved=1");
    expect((await userRow(user.id)).locale).toBe("ja");
    const page = await client.page("/settings?saved=1");
    expect(page.html).toContain('<html lang="ja">');
    expect(page.html).toContain("保存しました。");
    expect((await client.page("/about")).html).toContain('<html lang="ja">');

    await client.submit("/settings/preferences", { p2p: "default", sensitivePolicy: "blur", locale: "auto" });
    expect((await userRow(user.id)).locale).toBeNull();
    expect((await client.page("/about")).html).toContain('<html lang="en">');
  });

  test("values outside the choices are refused and change nothing", async () => {
    const { user, client } = await loggedIn("chooser");
    const choices: Record<string, string>[] = [
      { p2p: "maybe", sensitivePolicy: "hide", locale: "auto" },
      { p2p: "on", sensitivePolicy: "nuke", locale: "auto" },
      { p2p: "on", sensitivePolicy: "hide", locale: "fr" },
      { p2p: "on", sensitivePolicy: "hide", locale: "auto", videoLanguages: "xx" },
    ];
    for (const fields of choices) {
      const res = await client.submit("/settings/preferences", fields);
      expect(res.status).toBe(400);
      expect(await res.text()).toContain("Choose one of the options offered.");
    }
    expect(await userRow(user.id)).toMatchObject({ p2pPreference: null, sensitivePolicy: "blur" });
  });

  test("the P2P choice saved in the profile also replaces this browser's consent cookie", async () => {
    const { user, client } = await loggedIn("sharer2");
    await client.submit("/p2p/consent", { choice: "on" });
    expect(client.cookies.get("tubelet_p2p")).toBe("on");
    await client.submit("/settings/preferences", { p2p: "default", sensitivePolicy: "blur", locale: "auto" });
    expect((await userRow(user.id)).p2pPreference).toBeNull();
    expect(client.cookies.has("tubelet_p2p")).toBe(false);
    expect((await client.page("/settings")).html).toMatch(/value="default" checked/);
    await client.submit("/settings/preferences", { p2p: "off", sensitivePolicy: "blur", locale: "auto" });
    expect(client.cookies.get("tubelet_p2p")).toBe("off");
  });

  test("visitors see the P2P and language choices and are asked to log in for the rest", async () => {
    const anon = t.client("203.0.113.30");
    const page = await anon.page("/settings");
    expect(page.status).toBe(200);
    expect(page.html).toContain('action="/p2p/consent"');
    expect(page.html).toContain('action="/settings/locale"');
    expect(page.html).not.toContain('href="/settings/profile"');
    expect((await anon.page("/settings/profile")).status).toBe(303);
  });
});

describe("language switch", () => {
  test("a visitor's choice goes into a year-long cookie; only local paths are followed", async () => {
    const anon = t.client("203.0.113.31");
    await anon.page("/");
    const res = await anon.submit("/settings/locale", { locale: "ja", next: "/about" });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/about");
    const cookie = res.headers.getSetCookie().find((line) => line.startsWith("tubelet_locale="))!;
    expect(cookie).toContain("tubelet_locale=ja");
    expect(cookie).toContain("Max-Age=31536000");
    expect(cookie).toContain("SameSite=Lax");
    expect((await anon.page("/about")).html).toContain('<html lang="ja">');

    for (const next of ["//evil.example/", "https://evil.example/", "/\\evil.example", ""]) {
      const away = await anon.submit("/settings/locale", { locale: "en", next });
      expect(away.status).toBe(303);
      expect(away.headers.get("location")).toBe("/");
    }
    expect((await anon.page("/about")).html).toContain('<html lang="en">');
  });

  test("a logged-in person's choice goes to the profile, so it follows them", async () => {
    const { user, client } = await loggedIn("switcher");
    expect((await client.submit("/settings/locale", { locale: "ja", next: "/settings" })).headers.get("location")).toBe("/settings");
    expect((await userRow(user.id)).locale).toBe("ja");
    const elsewhere = t.client("198.51.100.210");
    await elsewhere.login("switcher", "Correct-Horse-42");
    expect((await elsewhere.page("/")).html).toContain('<html lang="ja">');
  });

  test("an unknown language is refused", async () => {
    const anon = t.client("203.0.113.32");
    await anon.page("/");
    expect((await anon.submit("/settings/locale", { locale: "fr", next: "/" })).status).toBe(400);
    expect((await anon.submit("/settings/locale", { next: "/" })).status).toBe(400);
  });
});

describe("delete account", () => {
  async function seedFiles(userId: number) {
    const channelId = await defaultChannelId(t.db.sql, userId);
    const video = await seedVideo(t.db.sql, { channelId, name: "Doomed film" });
    const videoDir = t.deps.layout.videoDir(video.uuid);
    await mkdir(join(videoDir, "hls"), { recursive: true });
    await Bun.write(join(videoDir, "hls", "master.m3u8"), "#EXTM3U\n");
    const original = t.deps.layout.original(video.uuid, ".mp4");
    await Bun.write(original, "not really a video");
    await t.db.sql`UPDATE videos SET original_path = ${original} WHERE id = ${video.id}`;
    const uploadId = `up-${video.shortId}`;
    await t.db.sql`INSERT INTO upload_sessions (id, user_id, channel_id, size, filename, metadata, expires_at)
      VALUES (${uploadId}, ${userId}, ${channelId}, 100, 'x.mp4', '{}', now() + interval '1 day')`;
    await Bun.write(t.deps.layout.uploadPart(uploadId), "partial");
    return { video, videoDir, original, part: t.deps.layout.uploadPart(uploadId) };
  }

  test("a wrong password or username deletes nothing", async () => {
    const { user, client } = await loggedIn("hesitant");
    expect((await client.page("/settings/delete")).status).toBe(200);
    const wrongPassword = await client.submit("/settings/delete", { username: "hesitant", password: "Not-It-123" });
    expect(wrongPassword.status).toBe(400);
    expect(await wrongPassword.text()).toContain("That is not your current password.");
    const wrongName = await client.submit("/settings/delete", { username: "someone", password: "Correct-Horse-42" });
    expect(wrongName.status).toBe(400);
    expect(await wrongName.text()).toContain("Type your username exactly as shown to confirm.");
    expect((await t.db.sql`SELECT 1 FROM users WHERE id = ${user.id}`).length).toBe(1);
    expect((await client.page("/settings/profile")).status).toBe(200);
  });

  test("removes the rows, the video files, uploads and avatars, and ends every session", async () => {
    const { user, client } = await loggedIn("leaver");
    const elsewhere = t.client("198.51.100.220");
    await elsewhere.login("leaver", "Correct-Horse-42");
    const files = await seedFiles(user.id);
    expect((await uploadAvatar(client, new Blob([await pngBytes()], { type: "image/png" }))).status).toBe(303);
    const avatar = (await userRow(user.id)).avatarPath as string;
    const { actorId } = (await t.db.sql<{ actorId: number }[]>`SELECT actor_id::int FROM users WHERE id = ${user.id}`)[0]!;
    const channelActors = (await t.db.sql`SELECT actor_id::int FROM channels WHERE owner_id = ${user.id}`).map((r) => r.actorId as number);

    const res = await client.submit("/settings/delete", { username: "Leaver", password: "Correct-Horse-42" });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/settings/deleted");
    expect((await client.page("/settings/deleted")).status).toBe(200);

    const sql = t.db.sql;
    expect((await sql`SELECT 1 FROM users WHERE id = ${user.id}`).length).toBe(0);
    expect((await sql`SELECT 1 FROM actors WHERE id = ANY(${sql.array([actorId, ...channelActors])}::bigint[])`).length).toBe(0);
    expect((await sql`SELECT 1 FROM channels WHERE owner_id = ${user.id}`).length).toBe(0);
    expect((await sql`SELECT 1 FROM videos WHERE id = ${files.video.id}`).length).toBe(0);
    expect((await sql`SELECT 1 FROM sessions WHERE user_id = ${user.id}`).length).toBe(0);
    for (const path of [files.videoDir, files.original, files.part, join(t.config.dataDir, avatar)]) expect(await Bun.file(path).exists()).toBe(false);
    expect(await readdir(files.videoDir).catch(() => null)).toBeNull();

    expect((await client.fetch("/settings/profile")).status).toBe(303);
    expect((await elsewhere.fetch("/settings/profile")).status).toBe(303);
    expect((await t.client().page(`/a/leaver`)).status).toBe(404);
    expect((await t.client("198.51.100.221").login("leaver", "Correct-Horse-42")).status).toBe(401);
  });

  test("the last administrator cannot leave; with another admin they can", async () => {
    const first = await loggedIn("only_admin", { role: "admin" });
    const page = await first.client.page("/settings/delete");
    expect(page.html).toContain("You are the only administrator");
    const refused = await first.client.submit("/settings/delete", { username: "only_admin", password: "Correct-Horse-42" });
    expect(refused.status).toBe(409);
    expect(await refused.text()).toContain("You are the only administrator");
    expect((await t.db.sql`SELECT 1 FROM users WHERE id = ${first.user.id}`).length).toBe(1);

    await t.createUser("second_admin", { role: "admin" });
    const res = await first.client.submit("/settings/delete", { username: "only_admin", password: "Correct-Horse-42" });
    expect(res.status).toBe(303);
    expect((await t.db.sql`SELECT 1 FROM users WHERE id = ${first.user.id}`).length).toBe(0);
  });
});

describe("authorization", () => {
  const posts = ["/settings/preferences", "/settings/profile", "/settings/avatar", "/settings/avatar/delete", "/settings/password", "/settings/delete", "/settings/locale"];

  test("every form needs the CSRF token", async () => {
    const { client } = await loggedIn("forged");
    for (const path of posts) {
      const res = await client.fetch(path, { method: "POST", body: new URLSearchParams({ locale: "ja", displayName: "Forged" }), headers: { "content-type": "application/x-www-form-urlencoded" } });
      expect(res.status).toBe(403);
    }
  });

  test("every form but the language switch needs someone logged in", async () => {
    const anon = t.client("203.0.113.33");
    await anon.page("/settings");
    for (const path of posts.filter((p) => p !== "/settings/locale")) {
      expect((await anon.submit(path, { displayName: "Nobody" })).status).toBe(401);
    }
    for (const path of ["/settings/profile", "/settings/password", "/settings/delete"]) {
      const res = await anon.fetch(path);
      expect(res.status).toBe(303);
      expect(res.headers.get("location")).toBe(`/login?next=${encodeURIComponent(path)}`);
    }
  });
});

function api(path: string, init: RequestInit & { token?: string } = {}) {
  return apiClient(t, "203.0.113.60").api(path, init);
}

function apiToken(username: string, password: string): Promise<string> {
  return apiClient(t, "203.0.113.60").apiToken(username, password);
}
