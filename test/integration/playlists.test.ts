import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createTestApp, type TestApp, type TestClient } from "../helpers/app.ts";
import { defaultChannelId, seedVideo, type SeededVideo } from "../helpers/videos.ts";
import { newVideoIds } from "../../src/videos/ids.ts";

let t: TestApp;
let alice: TestClient;
let bob: TestClient;
let visitor: TestClient;
let aliceId: number;
let bobId: number;
let v1: SeededVideo;
let v2: SeededVideo;
let v3: SeededVideo;
let bobPublic: SeededVideo;
let bobPrivate: SeededVideo;

beforeAll(async () => {
  t = await createTestApp();
  const [a, b] = await Promise.all([t.createUser("alice"), t.createUser("bob")]);
  aliceId = a.id;
  bobId = b.id;
  alice = t.client("198.51.100.40");
  bob = t.client("198.51.100.41");
  visitor = t.client("198.51.100.42");
  await alice.login(a.username, a.password);
  await bob.login(b.username, b.password);
  await visitor.page("/");
  const [aliceChannel, bobChannel] = await Promise.all([defaultChannelId(t.db.sql, aliceId), defaultChannelId(t.db.sql, bobId)]);
  v1 = await seedVideo(t.db.sql, { channelId: aliceChannel, name: "First clip" });
  v2 = await seedVideo(t.db.sql, { channelId: aliceChannel, name: "Second clip" });
  v3 = await seedVideo(t.db.sql, { channelId: aliceChannel, name: "Third clip" });
  bobPublic = await seedVideo(t.db.sql, { channelId: bobChannel, name: "Bob in public" });
  bobPrivate = await seedVideo(t.db.sql, { channelId: bobChannel, name: "Bob secret diary", privacy: 3 });
});
afterAll(() => t.close());

/** A call of the REST API from the web page's own scripts: session cookie plus the CSRF header. */
function api(client: TestClient, method: string, path: string, body?: unknown): Promise<Response> {
  const headers: Record<string, string> = { "x-csrf-token": client.csrf };
  if (body !== undefined) headers["content-type"] = "application/json";
  return client.fetch(`/api/v1${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
}

function htmx(client: TestClient, path: string, fields: Record<string, string>): Promise<Response> {
  return client.fetch(path, {
    method: "POST",
    body: new URLSearchParams(fields),
    headers: { "content-type": "application/x-www-form-urlencoded", "hx-request": "true", "x-csrf-token": client.csrf },
  });
}

async function createPlaylist(client: TestClient, fields: Record<string, unknown>): Promise<{ id: number; uuid: string; shortUUID: string }> {
  const res = await api(client, "POST", "/video-playlists", fields);
  expect(res.status).toBe(200);
  return (await res.json()).videoPlaylist;
}

async function add(client: TestClient, playlist: string, videoId: number | string): Promise<Response> {
  return api(client, "POST", `/video-playlists/${playlist}/videos`, { videoId });
}

async function positions(playlistId: number): Promise<number[]> {
  const rows = await t.db.sql<{ position: number }[]>`SELECT position FROM playlist_elements WHERE playlist_id = ${playlistId} ORDER BY position`;
  return rows.map((r) => r.position);
}

async function names(client: TestClient, playlist: string): Promise<(string | null)[]> {
  const res = await api(client, "GET", `/video-playlists/${playlist}/videos?count=100`);
  expect(res.status).toBe(200);
  const body = (await res.json()) as { data: { position: number; video: { name: string } | null }[] };
  expect(body.data.map((e) => e.position)).toEqual(body.data.map((_, k) => k + 1));
  return body.data.map((e) => e.video?.name ?? null);
}

describe("Watch later", () => {
  test("is created the first time it is needed, private, and only once", async () => {
    const before = await t.db.sql`SELECT 1 FROM playlists WHERE owner_id = ${aliceId}`;
    expect(before.length).toBe(0);
    const page = await alice.page("/my/playlists");
    expect(page.status).toBe(200);
    expect(page.html).toContain("Watch later");
    await alice.page("/my/playlists");
    const rows = await t.db.sql<{ privacy: number; kind: string }[]>`SELECT privacy, kind FROM playlists WHERE owner_id = ${aliceId}`;
    expect([...rows]).toEqual([{ privacy: 3, kind: "watch_later" }]);
  });

  test("cannot be deleted, renamed or made public, and nobody else sees it", async () => {
    const [wl] = await t.db.sql<{ shortId: string }[]>`SELECT short_id FROM playlists WHERE owner_id = ${aliceId} AND kind = 'watch_later'`;
    const id = wl!.shortId;
    let res = await alice.submit(`/p/${id}/delete`, {});
    expect(res.status).toBe(400);
    expect(await res.text()).toContain("Watch later cannot be renamed, made public or deleted.");
    res = await api(alice, "DELETE", `/video-playlists/${id}`);
    expect(res.status).toBe(400);
    res = await api(alice, "PUT", `/video-playlists/${id}`, { displayName: "Renamed", privacy: 1 });
    expect(res.status).toBe(400);
    expect((await res.json()).detail).toBe("Watch later cannot be renamed, made public or deleted.");
    expect((await alice.page(`/p/${id}`)).status).toBe(200);
    expect((await bob.page(`/p/${id}`)).status).toBe(404);
    expect((await visitor.page(`/p/${id}`)).status).toBe(404);
    expect((await api(bob, "GET", `/video-playlists/${id}`)).status).toBe(404);
  });
});

describe("visibility", () => {
  test("a private playlist is visible to its owner only: page, API and listings", async () => {
    const res = await alice.submit("/my/playlists", { name: "Private mix", description: "", privacy: "3", channelId: "" });
    expect(res.status).toBe(303);
    const id = res.headers.get("location")!.replace("/p/", "");
    expect((await alice.page(`/p/${id}`)).html).toContain("Private mix");
    expect((await bob.page(`/p/${id}`)).status).toBe(404);
    expect((await visitor.page(`/p/${id}`)).status).toBe(404);
    expect((await api(bob, "GET", `/video-playlists/${id}`)).status).toBe(404);
    expect((await api(bob, "GET", `/video-playlists/${id}/videos`)).status).toBe(404);
    const theirs = await (await api(bob, "GET", "/accounts/alice/video-playlists")).json();
    expect(JSON.stringify(theirs)).not.toContain("Private mix");
    const mine = await (await api(alice, "GET", "/accounts/alice/video-playlists")).json();
    expect(mine.data.map((p: { displayName: string }) => p.displayName)).toEqual(expect.arrayContaining(["Private mix", "Watch later"]));
  });

  test("an unlisted playlist opens by its link but is never listed, nor reachable by numeric id", async () => {
    const created = await createPlaylist(alice, { displayName: "Unlisted mix", privacy: 2 });
    expect((await bob.page(`/p/${created.shortUUID}`)).status).toBe(200);
    expect((await visitor.page(`/p/${created.uuid}`)).status).toBe(200);
    const byLink = await api(bob, "GET", `/video-playlists/${created.shortUUID}`);
    expect(byLink.status).toBe(200);
    expect(await byLink.json()).toMatchObject({ displayName: "Unlisted mix", privacy: { id: 2, label: "Unlisted" }, videosLength: 0 });
    expect((await api(bob, "GET", `/video-playlists/${created.id}`)).status).toBe(404);
    expect((await api(alice, "GET", `/video-playlists/${created.id}`)).status).toBe(200);
    const listed = await (await api(bob, "GET", "/accounts/alice/video-playlists")).json();
    expect(JSON.stringify(listed)).not.toContain("Unlisted mix");
  });

  test("a public playlist is listed on the account for everyone", async () => {
    await createPlaylist(alice, { displayName: "Public mix", privacy: 1, description: "Best of" });
    const listed = await (await visitor.fetch("/api/v1/accounts/alice/video-playlists")).json();
    expect(listed.data.map((p: { displayName: string }) => p.displayName)).toEqual(["Public mix"]);
    expect(listed.data[0]).toMatchObject({ description: "Best of", type: { id: 1, label: "Regular" }, ownerAccount: { name: "alice" } });
  });
});

describe("bad input", () => {
  test("the form refuses an empty or too long name and a long description, beside the fields", async () => {
    let res = await alice.submit("/my/playlists", { name: "  ", description: "", privacy: "1", channelId: "" });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain("Give the playlist a name.");
    res = await alice.submit("/my/playlists", { name: "x".repeat(121), description: "d".repeat(1001), privacy: "1", channelId: "" });
    expect(res.status).toBe(400);
    const html = await res.text();
    expect(html).toContain("Keep the name to 120 characters or fewer.");
    expect(html).toContain("Keep the description to 1,000 characters or fewer.");
  });

  test("the API names the bad fields; another person's channel or an unknown privacy is refused", async () => {
    let res = await api(alice, "POST", "/video-playlists", { displayName: "" });
    expect(res.status).toBe(400);
    expect((await res.json())["invalid-params"].name.msg).toBe("Give the playlist a name.");
    res = await api(alice, "POST", "/video-playlists", { displayName: "Mine", privacy: 9 });
    expect(res.status).toBe(400);
    const bobChannel = await defaultChannelId(t.db.sql, bobId);
    res = await api(alice, "POST", "/video-playlists", { displayName: "Mine", videoChannelId: bobChannel });
    expect(res.status).toBe(400);
    expect((await res.json())["invalid-params"].channelId.msg).toBe("Choose one of your own channels, or none.");
    const own = await createPlaylist(alice, { displayName: "On my channel", videoChannelId: await defaultChannelId(t.db.sql, aliceId) });
    expect((await (await api(alice, "GET", `/video-playlists/${own.uuid}`)).json()).videoChannel.name).toBe("alice_channel");
  });

  test("unknown videos, other people's private videos and duplicates are refused", async () => {
    const p = await createPlaylist(alice, { displayName: "Checks" });
    let res = await add(alice, p.uuid, 999_999);
    expect(res.status).toBe(404);
    expect((await res.json()).detail).toBe("This video does not exist, or you are not allowed to see it.");
    expect((await add(alice, p.uuid, bobPrivate.shortId)).status).toBe(404);
    expect((await api(alice, "POST", `/video-playlists/${p.uuid}/videos`, {})).status).toBe(400);
    expect((await add(alice, p.uuid, bobPublic.id)).status).toBe(200);
    res = await add(alice, p.uuid, bobPublic.uuid);
    expect(res.status).toBe(409);
    expect((await res.json()).detail).toBe("This video is already in the playlist.");
    expect(await positions(p.id)).toEqual([1]);
  });

  test("at most 100 playlists per person and 500 videos per playlist", async () => {
    const carol = await t.createUser("carol");
    for (let i = 0; i < 100; i++) {
      const ids = newVideoIds();
      await t.db.sql`INSERT INTO playlists (uuid, short_id, owner_id, name, privacy) VALUES (${ids.uuid}, ${ids.shortId}, ${carol.id}, ${`P${i}`}, 3)`;
    }
    const c = t.client("198.51.100.43");
    await c.login(carol.username, carol.password);
    let res = await api(c, "POST", "/video-playlists", { displayName: "One too many" });
    expect(res.status).toBe(409);
    expect((await res.json()).detail).toBe("You already have 100 playlists; delete one before creating another.");

    const big = await createPlaylist(alice, { displayName: "Big" });
    await t.db.sql`INSERT INTO playlist_elements (playlist_id, video_id, position) SELECT ${big.id}, ${v1.id}, n FROM generate_series(1, 500) n`;
    res = await add(alice, big.uuid, v2.id);
    expect(res.status).toBe(409);
    expect((await res.json()).detail).toBe("This playlist already holds 500 videos; remove some before adding more.");
  });
});

describe("positions", () => {
  test("add, reorder and remove keep positions 1..n in the asked order", async () => {
    const p = await createPlaylist(alice, { displayName: "Order", privacy: 1 });
    for (const v of [v1, v2, v3, bobPublic]) expect((await add(alice, p.shortUUID, v.id)).status).toBe(200);
    expect(await names(alice, p.uuid)).toEqual(["First clip", "Second clip", "Third clip", "Bob in public"]);

    let res = await api(alice, "POST", `/video-playlists/${p.uuid}/videos/reorder`, { startPosition: 4, insertAfterPosition: 0 });
    expect(res.status).toBe(204);
    expect(await names(alice, p.uuid)).toEqual(["Bob in public", "First clip", "Second clip", "Third clip"]);
    res = await api(alice, "POST", `/video-playlists/${p.uuid}/videos/reorder`, { startPosition: 1, insertAfterPosition: 4, reorderLength: 2 });
    expect(res.status).toBe(204);
    expect(await names(alice, p.uuid)).toEqual(["Second clip", "Third clip", "Bob in public", "First clip"]);
    res = await api(alice, "POST", `/video-playlists/${p.uuid}/videos/reorder`, { startPosition: 4, insertAfterPosition: 9 });
    expect(res.status).toBe(400);
    expect((await res.json()).detail).toContain("Positions must lie between 1 and 4");

    const list = await (await api(alice, "GET", `/video-playlists/${p.uuid}/videos`)).json();
    const third = list.data[2].id;
    expect((await api(alice, "DELETE", `/video-playlists/${p.uuid}/videos/${third}`)).status).toBe(204);
    expect((await api(alice, "DELETE", `/video-playlists/${p.uuid}/videos/${third}`)).status).toBe(404);
    expect(await names(alice, p.uuid)).toEqual(["Second clip", "Third clip", "First clip"]);
    expect(await positions(p.id)).toEqual([1, 2, 3]);
  });

  test("concurrent adds all land, at positions 1..n", async () => {
    const p = await createPlaylist(alice, { displayName: "Rush" });
    const channel = await defaultChannelId(t.db.sql, aliceId);
    const videos = await Promise.all(Array.from({ length: 12 }, (_, i) => seedVideo(t.db.sql, { channelId: channel, name: `Rush ${i}` })));
    const answers = await Promise.all(videos.map((v) => add(alice, p.uuid, v.id)));
    expect(answers.map((r) => r.status)).toEqual(videos.map(() => 200));
    expect(await positions(p.id)).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
    // The same video sent twice at once: one lands, the other is refused.
    const twice = await Promise.all([add(alice, p.uuid, v1.id), add(alice, p.uuid, v1.id)]);
    expect(twice.map((r) => r.status).sort()).toEqual([200, 409]);
    expect(await positions(p.id)).toEqual(Array.from({ length: 13 }, (_, i) => i + 1));
  });

  test("a deleted video leaves no gap: the next change renumbers", async () => {
    const channel = await defaultChannelId(t.db.sql, aliceId);
    const doomed = await seedVideo(t.db.sql, { channelId: channel, name: "Doomed" });
    const p = await createPlaylist(alice, { displayName: "Gaps" });
    for (const v of [v1, doomed, v2]) await add(alice, p.uuid, v.id);
    await t.db.sql`DELETE FROM videos WHERE id = ${doomed.id}`;
    expect(await names(alice, p.uuid)).toEqual(["First clip", "Second clip"]);
    expect((await add(alice, p.uuid, v3.id)).status).toBe(200);
    expect(await positions(p.id)).toEqual([1, 2, 3]);
  });

  test("the page's move and remove buttons answer htmx with the list in its new order", async () => {
    const p = await createPlaylist(alice, { displayName: "Buttons", privacy: 1 });
    for (const v of [v1, v2, v3]) await add(alice, p.uuid, v.id);
    const page = await alice.page(`/p/${p.shortUUID}`);
    const ids = [...new Set([...page.html.matchAll(/\/p\/\w+\/elements\/(\d+)\/remove/g)].map((m) => m[1]))];
    expect(ids).toHaveLength(3);
    let res = await htmx(alice, `/p/${p.shortUUID}/elements/${ids[2]}/move`, { position: "1", current: ids[0]! });
    expect(res.status).toBe(200);
    let html = await res.text();
    expect(html).toStartWith('<ol id="playlist-items"');
    expect(html.indexOf("Third clip")).toBeLessThan(html.indexOf("First clip"));
    expect(html.indexOf("First clip")).toBeLessThan(html.indexOf("Second clip"));
    expect(html).toContain(`data-next="/p/${p.shortUUID}?i=3&autoplay=1"`);
    res = await htmx(alice, `/p/${p.shortUUID}/elements/${ids[1]}/remove`, { current: ids[0]! });
    html = await res.text();
    expect(html).not.toContain("Second clip");
    expect(await names(alice, p.uuid)).toEqual(["Third clip", "First clip"]);
    // Without htmx, the form goes back to the page on the item that was playing.
    res = await alice.submit(`/p/${p.shortUUID}/elements/${ids[2]}/move`, { position: "2", current: ids[0]! });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe(`/p/${p.shortUUID}?i=1`);
    res = await alice.submit(`/p/${p.shortUUID}/elements/${ids[0]}/move`, { position: "7" });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain("Choose a position between 1 and 2.");
  });
});

describe("authorization", () => {
  test("someone else's public playlist cannot be changed (403), a private one is not even found (404)", async () => {
    const p = await createPlaylist(alice, { displayName: "Hands off", privacy: 1 });
    await add(alice, p.uuid, v1.id);
    const elementId = (await (await api(alice, "GET", `/video-playlists/${p.uuid}/videos`)).json()).data[0].id;
    await bob.page("/");
    expect((await bob.submit(`/p/${p.shortUUID}/edit`, { name: "Mine now", privacy: "1" })).status).toBe(403);
    expect((await bob.submit(`/p/${p.shortUUID}/delete`, {})).status).toBe(403);
    expect((await bob.submit(`/p/${p.shortUUID}/elements/${elementId}/move`, { position: "1" })).status).toBe(403);
    expect((await bob.submit(`/p/${p.shortUUID}/elements/${elementId}/remove`, {})).status).toBe(403);
    expect((await bob.submit("/my/playlists/save", { playlist: p.shortUUID, video: v2.shortId, saved: "on" })).status).toBe(403);
    const res = await api(bob, "PUT", `/video-playlists/${p.uuid}`, { displayName: "Mine now" });
    expect(res.status).toBe(403);
    expect((await res.json()).detail).toBe("Only the playlist's owner can change it.");
    expect((await api(bob, "DELETE", `/video-playlists/${p.uuid}`)).status).toBe(403);
    expect((await add(bob, p.uuid, v2.id)).status).toBe(403);
    expect((await api(bob, "DELETE", `/video-playlists/${p.uuid}/videos/${elementId}`)).status).toBe(403);
    expect((await api(bob, "POST", `/video-playlists/${p.uuid}/videos/reorder`, { startPosition: 1, insertAfterPosition: 0 })).status).toBe(403);
    expect(await names(alice, p.uuid)).toEqual(["First clip"]);
    expect((await (await api(alice, "GET", `/video-playlists/${p.uuid}`)).json()).displayName).toBe("Hands off");

    const hidden = await createPlaylist(alice, { displayName: "Hidden", privacy: 3 });
    expect((await bob.submit(`/p/${hidden.shortUUID}/delete`, {})).status).toBe(404);
    expect((await api(bob, "DELETE", `/video-playlists/${hidden.uuid}`)).status).toBe(404);
  });

  test("every change needs the CSRF token, and a login", async () => {
    const form = (fields: Record<string, string>) => ({
      method: "POST",
      body: new URLSearchParams(fields),
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    let res = await alice.fetch("/my/playlists", form({ name: "No token", privacy: "1" }));
    expect(res.status).toBe(403);
    const [wl] = await t.db.sql<{ shortId: string }[]>`SELECT short_id FROM playlists WHERE owner_id = ${aliceId} AND kind = 'watch_later'`;
    res = await alice.fetch("/my/playlists/save", form({ playlist: wl!.shortId, video: v1.shortId, saved: "on" }));
    expect(res.status).toBe(403);
    res = await alice.fetch("/my/playlists", form({ name: "Wrong token", _csrf: "x".repeat(43) }));
    expect(res.status).toBe(403);
    // The API accepts a session only together with the CSRF header.
    res = await alice.fetch("/api/v1/video-playlists", { method: "POST", body: JSON.stringify({ displayName: "No header" }), headers: { "content-type": "application/json" } });
    expect(res.status).toBe(401);
    expect((await t.db.sql`SELECT 1 FROM playlists WHERE name IN ('No token', 'Wrong token', 'No header')`).length).toBe(0);

    expect((await visitor.submit("/my/playlists", { name: "Visitor", privacy: "1" })).status).toBe(401);
    const redirect = await visitor.fetch("/my/playlists");
    expect(redirect.status).toBe(303);
    expect(redirect.headers.get("location")).toStartWith("/login?next=");
  });
});

describe("the save menu on the watch page", () => {
  test("visitors get a link to log in", async () => {
    const page = await visitor.page(`/w/${v1.shortId}`);
    expect(page.html).toContain(`href="/login?next=${encodeURIComponent(`/w/${v1.shortId}`)}"`);
    expect(page.html).not.toContain("/my/playlists/save-menu");
  });

  test("ticking saves to Watch later, unticking removes, in place", async () => {
    let page = await bob.page(`/w/${v2.shortId}`);
    expect(page.html).toContain(`hx-get="/my/playlists/save-menu?video=${v2.shortId}"`);
    expect(page.html).toContain('<span id="save-label">Save</span>');
    const menu = await bob.fetch(`/my/playlists/save-menu?video=${v2.shortId}`, { headers: { "hx-request": "true" } });
    expect(menu.status).toBe(200);
    const html = await menu.text();
    expect(html).not.toContain("<html");
    const wl = /"playlist":"(\w+)"/.exec(html.replaceAll("&#34;", '"'))![1]!;
    expect(html.indexOf("Watch later")).toBeGreaterThan(0);

    let res = await htmx(bob, "/my/playlists/save", { playlist: wl, video: v2.shortId, saved: "on" });
    expect(res.status).toBe(200);
    let fragment = await res.text();
    expect(fragment).toMatch(/<input type="checkbox" name="saved" value="on" checked/);
    expect(fragment).toContain('<span id="save-label" hx-swap-oob="true">Saved</span>');
    // Saving again is a no-op, not a duplicate.
    await htmx(bob, "/my/playlists/save", { playlist: wl, video: v2.shortId, saved: "on" });
    page = await bob.page(`/w/${v2.shortId}`);
    expect(page.html).toContain('<span id="save-label">Saved</span>');
    const [row] = await t.db.sql<{ n: number }[]>`SELECT count(*)::int AS n FROM playlist_elements e JOIN playlists p ON p.id = e.playlist_id WHERE p.owner_id = ${bobId}`;
    expect(row!.n).toBe(1);

    res = await htmx(bob, "/my/playlists/save", { playlist: wl, video: v2.shortId });
    fragment = await res.text();
    expect(fragment).not.toMatch(/checked/);
    expect(fragment).toContain(">Save</span>");
  });

  test("a tick that cannot be saved comes back unticked with the reason", async () => {
    const dave = await t.createUser("dave");
    const d = t.client("198.51.100.45");
    await d.login(dave.username, dave.password);
    const menu = await (await d.fetch(`/my/playlists/save-menu?video=${v2.shortId}`, { headers: { "hx-request": "true" } })).text();
    const wl = /"playlist":"(\w+)"/.exec(menu.replaceAll("&#34;", '"'))![1]!;
    await t.db.sql`
      INSERT INTO playlist_elements (playlist_id, video_id, position)
      SELECT p.id, ${v1.id}, n FROM playlists p, generate_series(1, 500) n WHERE p.short_id = ${wl}`;
    const res = await htmx(d, "/my/playlists/save", { playlist: wl, video: v2.shortId, saved: "on" });
    expect(res.status).toBe(409);
    const fragment = await res.text();
    expect(fragment).toContain("This playlist already holds 500 videos; remove some before adding more.");
    expect(fragment).not.toMatch(/checked/);
    expect(fragment).not.toContain("<html");
  });

  test("a new playlist made from the menu holds the video; a bad name is answered in the menu", async () => {
    let res = await htmx(bob, "/my/playlists", { name: "From the menu", privacy: "2", video: v3.shortId });
    expect(res.status).toBe(200);
    const fragment = await res.text();
    expect(fragment).toContain("From the menu");
    expect(fragment.indexOf("Watch later")).toBeLessThan(fragment.indexOf("From the menu"));
    const exists = await (await api(bob, "GET", `/users/me/video-playlists/videos-exist?videoIds=${v3.id},${v1.id}`)).json();
    expect(exists[v3.id]).toHaveLength(1);
    expect(exists[v1.id]).toEqual([]);
    res = await htmx(bob, "/my/playlists", { name: "", privacy: "2", video: v3.shortId });
    expect(res.status).toBe(400);
    const again = await res.text();
    expect(again).toContain("Give the playlist a name.");
    expect(again).not.toContain("<html");
    res = await htmx(bob, "/my/playlists", { name: "Sneaky", privacy: "2", video: bobPrivate.shortId });
    expect(res.status).toBe(200); // bob owns that private video
    res = await htmx(alice, "/my/playlists", { name: "Peek", privacy: "2", video: bobPrivate.shortId });
    expect(res.status).toBe(404);
    expect((await t.db.sql`SELECT 1 FROM playlists WHERE name = 'Peek'`).length).toBe(0);
  });
});

describe("the playlist page", () => {
  test("plays element i with the list beside it in order, skipping what the viewer may not see", async () => {
    const bobChannel = await defaultChannelId(t.db.sql, bobId);
    const fading = await seedVideo(t.db.sql, { channelId: bobChannel, name: "Soon private" });
    const p = await createPlaylist(alice, { displayName: "Show", privacy: 1, description: "A **fine** list" });
    for (const v of [v1, fading, v2]) expect((await add(alice, p.uuid, v.id)).status).toBe(200);
    await t.db.sql`UPDATE videos SET privacy = 3 WHERE id = ${fading.id}`;

    const page = await visitor.page(`/p/${p.shortUUID}`);
    expect(page.status).toBe(200);
    expect(page.html).toContain(`data-src="/static/videos/${v1.uuid}/hls/master.m3u8"`);
    expect(page.html).toContain(t.deps.assets.urls.playerHttp);
    expect(page.html).toContain(t.deps.assets.urls.playerCss);
    expect(page.html).not.toContain("Soon private");
    const order = ["First clip", "Unavailable video", "Second clip"].map((s) => page.html.indexOf(s, page.html.indexOf('id="playlist-items"')));
    expect(order.every((i) => i > 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(page.html).toContain('aria-current="true"');
    expect(page.html).toContain(`data-next="/p/${p.shortUUID}?i=3&autoplay=1"`);
    expect(page.html).toContain("<strong>fine</strong>");
    expect(page.html).not.toContain("/elements/");

    // Asking for the unavailable item plays the next one it may see.
    const second = await visitor.page(`/p/${p.shortUUID}?i=2`);
    expect(second.html).toContain(`data-src="/static/videos/${v2.uuid}/hls/master.m3u8"`);
    expect(second.html).toContain('data-next=""');
    expect(second.html).toContain(`href="/p/${p.shortUUID}?i=1&autoplay=1"`);
    // Bob owns the private video: he sees and plays it.
    const own = await bob.page(`/p/${p.shortUUID}?i=2`);
    expect(own.html).toContain("Soon private");

    // The owner gets the controls.
    const mine = await alice.page(`/p/${p.shortUUID}`);
    expect(mine.html).toContain("/elements/");
    expect(mine.html).toContain(`href="/p/${p.shortUUID}/edit"`);

    const api2 = await (await visitor.fetch(`/api/v1/video-playlists/${p.uuid}/videos`)).json();
    expect(api2.data.map((e: { type: number; video: { name: string } | null }) => [e.type, e.video?.name ?? null])).toEqual([
      [0, "First clip"],
      [2, null],
      [0, "Second clip"],
    ]);
  });

  test("an empty playlist says so and loads no player", async () => {
    const p = await createPlaylist(alice, { displayName: "Empty", privacy: 1 });
    const page = await visitor.page(`/p/${p.shortUUID}`);
    expect(page.html).toContain("This playlist is empty.");
    expect(page.html).not.toContain('id="player"');
    expect(page.html).not.toContain(t.deps.assets.urls.playerHttp);
  });

  test("the owner edits and deletes from the edit page", async () => {
    const p = await createPlaylist(alice, { displayName: "Draft" });
    expect((await alice.page(`/p/${p.shortUUID}/edit`)).status).toBe(200);
    let res = await alice.submit(`/p/${p.shortUUID}/edit`, { name: "Final", description: "Done", privacy: "1", channelId: "" });
    expect(res.status).toBe(303);
    expect((await visitor.page(`/p/${p.shortUUID}`)).html).toContain("Final");
    res = await alice.submit(`/p/${p.shortUUID}/edit`, { name: "", description: "", privacy: "1", channelId: "" });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain("Give the playlist a name.");
    res = await alice.submit(`/p/${p.shortUUID}/delete`, {});
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/my/playlists?deleted=1");
    expect((await alice.page(`/p/${p.shortUUID}`)).status).toBe(404);
  });

  test("the owner's list shows counts and thumbnails", async () => {
    const page = await alice.page("/my/playlists");
    expect(page.html).toMatch(/Show<\/a>/);
    expect(page.html).toContain("3 videos");
    expect(page.html).toContain(`/static/videos/${v1.uuid}/thumbnail.jpg`);
  });

  test("Japanese readers get the page in Japanese", async () => {
    const jp = t.client("198.51.100.44");
    const res = await jp.fetch("/api/v1/accounts/alice/video-playlists");
    const id = (await res.json()).data[0].shortUUID;
    const page = await jp.fetch(`/p/${id}`, { headers: { "accept-language": "ja" } });
    expect(await page.text()).toContain("次の動画を自動再生");
  });
});
