/** A `tubelet serve` child process seen from a test: its environment, the API with a user's token, uploads. */
import { expect } from "bun:test";

/** The environment every test server process needs; `extra` adds or overrides settings. */
export function serverProcessEnv(
  o: { databaseUrl: string; base: string; dataDir: string; redisPrefix: string },
  extra: Record<string, string> = {},
): Record<string, string | undefined> {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    DATABASE_URL: o.databaseUrl,
    REDIS_URL: process.env.REDIS_URL,
    TUBELET_PORT: new URL(o.base).port,
    TUBELET_PUBLIC_URL: o.base,
    TUBELET_DATA_DIR: o.dataDir,
    TUBELET_REDIS_PREFIX: `${o.redisPrefix}:`,
    TUBELET_X264_PRESET: "ultrafast",
    // No RTMP listener: 1935 is one port for the whole machine.
    TUBELET_RTMP_PORT: "0",
    TUBELET_SEGMENT_SECONDS: "2",
    ...extra,
  };
}

export type Api = (path: string, init?: RequestInit) => Promise<Response>;

/** fetch against the server, with the bearer token `token()` returns once there is one. */
export function bearerApi(base: string, token: () => string | undefined): Api {
  return (path, init = {}) => {
    const headers = new Headers(init.headers);
    const current = token();
    if (current) headers.set("authorization", `Bearer ${current}`);
    return fetch(base + path, { ...init, headers });
  };
}

/** The password grant of the local OAuth client; returns the token and the user's first channel. */
export async function logInOverApi(api: Api, username: string, password: string): Promise<{ token: string; channelId: number }> {
  const client = await (await api("/api/v1/oauth-clients/local")).json();
  const tokenRes = await api("/api/v1/users/token", {
    method: "POST",
    body: new URLSearchParams({ ...client, grant_type: "password", username, password }),
  });
  const token = (await tokenRes.json()).access_token as string;
  const me = await (await api("/api/v1/users/me", { headers: { authorization: `Bearer ${token}` } })).json();
  return { token, channelId: me.videoChannels[0].id };
}

/** One-shot upload into a channel; expects 200. */
export async function uploadFile(api: Api, channelId: number, file: string, name: string): Promise<{ id: number; uuid: string; shortUUID: string }> {
  const form = new FormData();
  form.set("name", name);
  form.set("channelId", String(channelId));
  form.set("videofile", Bun.file(file), "clip.mp4");
  const res = await api("/api/v1/videos/upload", { method: "POST", body: form });
  expect(res.status).toBe(200);
  return (await res.json()).video;
}

/** A video's state as the API reports it. */
export async function videoState(api: Api, id: number) {
  return (await (await api(`/api/v1/videos/${id}`)).json()) as { state: { id: number; label: string; progress: number; reason: string | null } };
}
