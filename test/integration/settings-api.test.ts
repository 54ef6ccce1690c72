/** The settings API in PeerTube's shapes: PUT /users/me, the avatar's pick and delete. */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { apiClient, createTestApp, type TestApp } from "../helpers/app.ts";

// Creating the database and hashing passwords (argon2id) on a busy 2-core machine can pass bun's 5 s default.
setDefaultTimeout(20_000);

let t: TestApp;

beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

function api(path: string, init: RequestInit & { token?: string } = {}) {
  return apiClient(t, "203.0.113.61").api(path, init);
}

function apiToken(username: string, password: string): Promise<string> {
  return apiClient(t, "203.0.113.61").apiToken(username, password);
}

async function userRow(id: number) {
  const [row] = await t.db.sql`
    SELECT u.sensitive_policy, u.video_languages, u.p2p_preference, a.display_name, a.description, a.avatar_path
    FROM users u JOIN actors a ON a.id = u.actor_id WHERE u.id = ${id}`;
  return row!;
}

async function pngBytes(): Promise<Uint8Array<ArrayBuffer>> {
  const proc = Bun.spawn(["ffmpeg", "-v", "error", "-f", "lavfi", "-i", "color=c=green:s=300x200", "-frames:v", "1", "-f", "image2pipe", "-c:v", "png", "pipe:1"], { stdout: "pipe" });
  const bytes = new Uint8Array(await new Response(proc.stdout).arrayBuffer());
  expect(await proc.exited).toBe(0);
  return bytes;
}

describe("API", () => {
  const put = (token: string | undefined, body: unknown) =>
    api("/api/v1/users/me", { method: "PUT", token, body: JSON.stringify(body), headers: { "content-type": "application/json" } });

  test("PUT /users/me updates profile and preferences in PeerTube's terms", async () => {
    const user = await t.createUser("api_settings");
    const token = await apiToken("api_settings", "Correct-Horse-42");
    const res = await put(token, { displayName: "API person", description: "Via the API", nsfwPolicy: "do_not_list", videoLanguages: ["ja"], p2pEnabled: false, autoPlayVideo: true });
    expect(res.status).toBe(204);
    expect(await userRow(user.id)).toMatchObject({ displayName: "API person", description: "Via the API", sensitivePolicy: "hide", videoLanguages: ["ja"], p2pPreference: "off" });
    expect((await put(token, { nsfwPolicy: "display", videoLanguages: null, p2pEnabled: null })).status).toBe(204);
    expect(await userRow(user.id)).toMatchObject({ displayName: "API person", sensitivePolicy: "show", videoLanguages: null, p2pPreference: null });
  });

  test("a bad field is refused and nothing is written", async () => {
    const user = await t.createUser("api_strict");
    const token = await apiToken("api_strict", "Correct-Horse-42");
    const res = await put(token, { displayName: "Changed", nsfwPolicy: "sometimes" });
    expect(res.status).toBe(400);
    expect((await res.json()).detail).toContain("nsfwPolicy");
    const long = await put(token, { description: "y".repeat(1001) });
    expect(long.status).toBe(400);
    expect((await long.json()).detail).toBe("Description has 1001 characters; the limit is 1000.");
    expect((await userRow(user.id)).displayName).toBe("api_strict");
    expect((await put(undefined, { displayName: "Anonymous" })).status).toBe(401);
  });

  test("a password change needs the current one and revokes the other tokens, not this one", async () => {
    await t.createUser("api_rotate");
    const token = await apiToken("api_rotate", "Correct-Horse-42");
    const other = await apiToken("api_rotate", "Correct-Horse-42");
    const wrong = await put(token, { currentPassword: "Wrong-Pass-11", password: "Brand-New-Pass-5" });
    expect(wrong.status).toBe(400);
    expect((await put(token, { currentPassword: "Correct-Horse-42", password: "Brand-New-Pass-5" })).status).toBe(204);
    expect((await api("/api/v1/users/me", { token })).status).toBe(200);
    expect((await api("/api/v1/users/me", { token: other })).status).toBe(401);
    await apiToken("api_rotate", "Brand-New-Pass-5");
  });

  test("avatar/pick stores the avatar and answers with its URL; non-images get 415", async () => {
    const user = await t.createUser("api_avatar");
    const token = await apiToken("api_avatar", "Correct-Horse-42");
    const form = new FormData();
    form.set("avatarfile", new Blob([await pngBytes()], { type: "image/png" }), "a.png");
    const res = await api("/api/v1/users/me/avatar/pick", { method: "POST", token, body: form });
    expect(res.status).toBe(200);
    const body = await res.json();
    const path = (await userRow(user.id)).avatarPath as string;
    expect(body.avatars[0]).toMatchObject({ path: `/static/${path}`, fileUrl: `http://localhost:9000/static/${path}`, width: 240, height: 240 });

    const bad = new FormData();
    bad.set("avatarfile", new Blob(["nope"], { type: "image/png" }), "a.png");
    expect((await api("/api/v1/users/me/avatar/pick", { method: "POST", token, body: bad })).status).toBe(415);
    expect((await userRow(user.id)).avatarPath).toBe(path);
    expect((await api("/api/v1/users/me/avatar", { method: "DELETE", token })).status).toBe(204);
    expect((await userRow(user.id)).avatarPath).toBeNull();
  });
});
