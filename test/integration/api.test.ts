import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createTestApp, ORIGIN, type TestApp } from "../helpers/app.ts";

let t: TestApp;
let client: { client_id: string; client_secret: string };

beforeAll(async () => {
  t = await createTestApp();
  await t.createUser("api_user");
  await t.createUser("api_other");
  client = await (await api("/api/v1/oauth-clients/local")).json();
});
afterAll(() => t.close());

function api(path: string, init: RequestInit & { token?: string; ip?: string } = {}) {
  const headers = new Headers(init.headers);
  if (init.token) headers.set("authorization", `Bearer ${init.token}`);
  headers.set("x-forwarded-for", init.ip ?? "203.0.113.50");
  return t.handle(new Request(ORIGIN + path, { ...init, headers }));
}

function token(fields: Record<string, string>, ip?: string) {
  return api("/api/v1/users/token", {
    method: "POST",
    body: new URLSearchParams({ client_id: client.client_id, client_secret: client.client_secret, ...fields }),
    headers: { "content-type": "application/x-www-form-urlencoded" },
    ip,
  });
}

async function login(username: string): Promise<{ access_token: string; refresh_token: string }> {
  const res = await token({ grant_type: "password", username, password: "Correct-Horse-42" });
  expect(res.status).toBe(200);
  return res.json();
}

describe("instance", () => {
  test("config tells clients whether they may sign up", async () => {
    const body = await (await api("/api/v1/config")).json();
    expect(body.signup).toMatchObject({ allowed: true, requiresApproval: false });
    expect(body.instance.name).toBe("Tubelet");
  });

  test("the local OAuth client is stable", async () => {
    const again = await (await api("/api/v1/oauth-clients/local")).json();
    expect(again).toEqual(client);
    expect(client.client_id).toMatch(/^[\w-]{43}$/);
  });

  test("the OpenAPI document lists the endpoints", async () => {
    const doc = await (await api("/api/v1/openapi.json")).json();
    expect(doc.openapi).toBe("3.1.0");
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(["/users/token", "/users/me", "/video-channels", "/video-channels/{handle}"]));
  });

  test("unknown endpoints answer in PeerTube's error shape", async () => {
    const res = await api("/api/v1/nothing-here");
    expect(res.status).toBe(404);
    expect(res.headers.get("content-type")).toContain("application/json");
    expect(await res.json()).toMatchObject({ status: 404, detail: expect.any(String), type: expect.any(String) });
  });
});

describe("OAuth", () => {
  test("password grant gives bearer tokens that /users/me accepts", async () => {
    const res = await token({ grant_type: "password", username: "api_user", password: "Correct-Horse-42" });
    const body = await res.json();
    expect(body).toMatchObject({ token_type: "Bearer", expires_in: 86400, refresh_token_expires_in: 1209600 });
    const me = await (await api("/api/v1/users/me", { token: body.access_token })).json();
    expect(me).toMatchObject({ username: "api_user", email: "api_user@example.org", role: { id: 2, label: "User" } });
    expect(me.account).toMatchObject({ name: "api_user", host: "localhost:9000", url: "http://localhost:9000/a/api_user" });
    expect(me.videoChannels.map((c: { name: string }) => c.name)).toEqual(["api_user_channel"]);
  });

  test("a refresh token works once and returns new tokens", async () => {
    const first = await login("api_user");
    const res = await token({ grant_type: "refresh_token", refresh_token: first.refresh_token });
    expect(res.status).toBe(200);
    const second = await res.json();
    expect(second.access_token).not.toBe(first.access_token);
    const replay = await token({ grant_type: "refresh_token", refresh_token: first.refresh_token });
    expect(replay.status).toBe(400);
    expect((await replay.json()).code).toBe("invalid_grant");
  });

  test("wrong credentials, wrong client and unknown grants are refused in PeerTube's words", async () => {
    const wrong = await token({ grant_type: "password", username: "api_user", password: "nope-nope-nope" }, "203.0.113.60");
    expect(wrong.status).toBe(400);
    expect(await wrong.json()).toMatchObject({ status: 400, code: "invalid_grant", detail: "Wrong username or password." });
    const badClient = await api("/api/v1/users/token", {
      method: "POST",
      body: new URLSearchParams({ client_id: "x", client_secret: "y", grant_type: "password", username: "api_user", password: "Correct-Horse-42" }),
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    expect(badClient.status).toBe(400);
    expect((await badClient.json()).code).toBe("invalid_client");
    const grant = await token({ grant_type: "client_credentials" });
    expect((await grant.json()).code).toBe("unsupported_grant_type");
  });

  test("/users/me without a token, with a bad one, or after revoking is 401", async () => {
    expect((await api("/api/v1/users/me")).status).toBe(401);
    expect((await api("/api/v1/users/me", { token: "x".repeat(43) })).status).toBe(401);
    const { access_token } = await login("api_user");
    expect((await api("/api/v1/users/revoke-token", { method: "POST", token: access_token })).status).toBe(200);
    const after = await api("/api/v1/users/me", { token: access_token });
    expect(after.status).toBe(401);
    expect((await after.json()).code).toBe("invalid_token");
  });

  test("an expired access token is refused", async () => {
    const { access_token } = await login("api_user");
    await t.db.sql`UPDATE oauth_tokens SET access_expires_at = now() - interval '1 second'`;
    expect((await api("/api/v1/users/me", { token: access_token })).status).toBe(401);
  });
});

describe("accounts and channels", () => {
  test("GET an account by name and by name@host", async () => {
    const a = await (await api("/api/v1/accounts/api_user")).json();
    expect(a).toMatchObject({ name: "api_user", displayName: "api_user", host: "localhost:9000" });
    expect((await api("/api/v1/accounts/api_user@localhost:9000")).status).toBe(200);
    expect((await api("/api/v1/accounts/api_user@elsewhere.example")).status).toBe(404);
    expect((await api("/api/v1/accounts/nobody")).status).toBe(404);
  });

  test("create, read, edit and delete a channel with authorization", async () => {
    const { access_token } = await login("api_user");
    const created = await api("/api/v1/video-channels", {
      method: "POST",
      token: access_token,
      body: JSON.stringify({ name: "api_chan", displayName: "API channel", description: "Made over the API" }),
      headers: { "content-type": "application/json" },
    });
    expect(created.status).toBe(200);
    const { videoChannel } = await created.json();
    expect(videoChannel.id).toBeNumber();

    const got = await (await api("/api/v1/video-channels/api_chan")).json();
    expect(got).toMatchObject({ id: videoChannel.id, name: "api_chan", displayName: "API channel", description: "Made over the API", ownerAccount: { name: "api_user" } });

    const other = await login("api_other");
    const json = { "content-type": "application/json" };
    const hijack = await api("/api/v1/video-channels/api_chan", { method: "PUT", token: other.access_token, body: JSON.stringify({ displayName: "Mine now" }), headers: json });
    expect(hijack.status).toBe(403);
    expect((await api("/api/v1/video-channels/api_chan", { method: "DELETE", token: other.access_token })).status).toBe(403);

    const edit = await api("/api/v1/video-channels/api_chan", { method: "PUT", token: access_token, body: JSON.stringify({ displayName: "Renamed" }), headers: json });
    expect(edit.status).toBe(204);
    expect((await (await api("/api/v1/video-channels/api_chan")).json()).displayName).toBe("Renamed");

    expect((await api("/api/v1/video-channels/api_chan", { method: "DELETE", token: access_token })).status).toBe(204);
    expect((await api("/api/v1/video-channels/api_chan")).status).toBe(404);
  });

  test("creating a channel needs a token and valid fields", async () => {
    const json = { "content-type": "application/json" };
    expect((await api("/api/v1/video-channels", { method: "POST", body: JSON.stringify({ name: "x_chan", displayName: "X" }), headers: json })).status).toBe(401);
    const { access_token } = await login("api_user");
    const bad = await api("/api/v1/video-channels", { method: "POST", token: access_token, body: JSON.stringify({ name: "bad name", displayName: "" }), headers: json });
    expect(bad.status).toBe(400);
    const body = await bad.json();
    expect(body["invalid-params"].name.msg).toContain("lower-case");
    expect(body["invalid-params"].displayName.msg).toBe("Display name cannot be empty.");
    const malformed = await api("/api/v1/video-channels", { method: "POST", token: access_token, body: "{not json", headers: json });
    expect(malformed.status).toBe(400);
  });
});
