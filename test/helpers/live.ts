/** Lives for tests: an app with two users (and an admin) logged in, lives made through the service, SSE reading. */
import { expect } from "bun:test";
import { createTestApp, type TestApp, type TestClient } from "./app.ts";
import { readEvents, type EventReader } from "./sse.ts";
import { defaultChannelId } from "./videos.ts";
import { findUserById, type UserRow } from "../../src/accounts/queries.ts";
import { beginLiveSession, endLeftoverLives, findLiveByVideoId, markLivePlayable, type BeginResult, type LiveRow } from "../../src/live/queries.ts";
import { createLive, newLiveSessionId, type LiveAndVideo } from "../../src/live/service.ts";

type Person = { id: number; username: string; password: string };

export interface LiveFixture {
  readonly t: TestApp;
  readonly alice: Person;
  readonly bob: Person;
  readonly admin: Person;
  readonly aliceUser: UserRow;
  readonly bobUser: UserRow;
  readonly aliceChannel: number;
  readonly bobChannel: number;
  readonly aliceClient: TestClient;
  readonly bobClient: TestClient;
  readonly adminClient: TestClient;
  /** Creates a live straight through the service (public, titled "A live show" unless `fields` say otherwise). */
  makeLive(user: UserRow, channelId: number, fields?: Record<string, unknown>): Promise<LiveAndVideo>;
  liveOf(videoId: number): Promise<LiveRow>;
  /** beginLiveSession with a fresh session and the fixture's limits (1 per user, 2 on the instance) unless given; then playable. */
  begin(live: LiveRow, userId: number, session?: string, limits?: { maxPerUser: number; maxInstance: number }): Promise<BeginResult>;
  /** Ends every live on air, so each test starts from a quiet instance. */
  endAll(): Promise<void>;
  countRows(table: "videos" | "lives"): Promise<number>;
}

/** The app (lives limited to 1 per user and 2 on the instance) with alice, bob and the admin carol logged in. */
export async function createLiveFixture(): Promise<LiveFixture> {
  const t = await createTestApp({ TUBELET_LIVE_MAX_PER_USER: "1", TUBELET_LIVE_MAX_INSTANCE: "2" });
  const [alice, bob, admin] = [await t.createUser("alice"), await t.createUser("bob"), await t.createUser("carol", { role: "admin" })];
  const [aliceClient, bobClient, adminClient] = [t.client("198.51.100.60"), t.client("198.51.100.61"), t.client("198.51.100.62")];
  await aliceClient.login(alice.username, alice.password);
  await bobClient.login(bob.username, bob.password);
  await adminClient.login(admin.username, admin.password);
  const sql = t.db.sql;
  return {
    t,
    alice,
    bob,
    admin,
    aliceUser: (await findUserById(sql, alice.id))!,
    bobUser: (await findUserById(sql, bob.id))!,
    aliceChannel: await defaultChannelId(sql, alice.id),
    bobChannel: await defaultChannelId(sql, bob.id),
    aliceClient,
    bobClient,
    adminClient,
    makeLive: (user, channelId, fields = {}) => createLive(t.deps, user, { name: "A live show", channelId, privacy: 1, ...fields }),
    liveOf: async (videoId) => (await findLiveByVideoId(sql, videoId))!,
    begin: async (live, userId, session = newLiveSessionId(), limits = { maxPerUser: 1, maxInstance: 2 }) => {
      const result = await beginLiveSession(sql, { liveId: live.id, userId, session, ...limits });
      // As the ingest does once ffmpeg wrote the first segment.
      if (result === "ok") await markLivePlayable(sql, { liveId: live.id, session });
      return result;
    },
    endAll: async () => {
      await endLeftoverLives(sql);
    },
    countRows: async (table) => (await sql.unsafe<{ n: number }[]>(`SELECT count(*)::int AS n FROM ${table}`))[0]!.n,
  };
}

/** A JSON API call with the session of a logged-in client (the pages' own scripts call the API this way). */
export async function apiAs(client: TestClient, path: string, init: { method?: string; body?: unknown } = {}): Promise<Response> {
  if (!client.csrf) await client.page("/");
  return client.fetch(path, {
    method: init.method ?? "GET",
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
    headers: { "content-type": "application/json", "x-csrf-token": client.csrf },
  });
}

/** Reads a live's Server-Sent Events; `until` waits, with a deadline, for an event that passes a test. */
export async function openLiveEvents(client: TestClient, shortId: string): Promise<EventReader<Record<string, unknown>>> {
  const res = await client.fetch(`/w/${shortId}/live/events`);
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toStartWith("text/event-stream");
  return readEvents<Record<string, unknown>>(res.body!, "live");
}
