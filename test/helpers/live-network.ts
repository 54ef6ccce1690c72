/**
 * A live-streaming instance for end-to-end tests and the live benchmark: the whole server with its RTMP listener,
 * in a network namespace behind the counting proxy (see netns.ts), and a streamer logged in to the REST API.
 */
import { registerUser } from "../../src/accounts/service.ts";
import { parseConfig } from "../../src/config.ts";
import type { E2eServer } from "./browser.ts";
import { startE2eServer } from "./browser.ts";
import { createTestNetwork, startCountingProxy, type CountingProxy, type TestNetwork } from "./netns.ts";
import { freePort } from "./processes.ts";

/** A live created through the API, with what its publisher needs. */
export interface CreatedLive {
  readonly id: number;
  readonly uuid: string;
  readonly shortUUID: string;
  /** `/w/<shortUUID>` */
  readonly watchPath: string;
  /** The RTMP application URL the API tells publishers (rtmp://host:port/live). */
  readonly rtmpUrl: string;
  readonly streamKey: string;
}

/** The REST API as one logged-in user: what live tests and the live benchmark do through it. */
export interface LiveApiClient {
  /** The server's own URL (not the proxy's): API calls are not counted as viewer traffic. */
  readonly base: string;
  readonly token: string;
  readonly channelId: number;
  /** POST /api/v1/videos/live (public), then GET /api/v1/videos/live/:id for the RTMP URL and the key. */
  createLive(options: { name: string; latency: "low" | "normal"; saveReplay?: boolean; permanent?: boolean }): Promise<CreatedLive>;
  /** GET with the bearer token; throws with the answer's text unless it is a 2xx. */
  get<T>(path: string): Promise<T>;
}

async function jsonOrThrow<T>(response: Response): Promise<T> {
  if (!response.ok) throw new Error(`${response.url}: HTTP ${response.status}: ${(await response.text()).slice(0, 300)}`);
  return (await response.json()) as T;
}

/** Logs in with the password grant of the local OAuth client, as a PeerTube API client does. */
export async function connectLiveApi(base: string, username: string, password: string): Promise<LiveApiClient> {
  const client = await jsonOrThrow<Record<string, string>>(await fetch(`${base}/api/v1/oauth-clients/local`));
  const grant = new URLSearchParams({ client_id: client.client_id!, client_secret: client.client_secret!, grant_type: "password", username, password });
  const { access_token: token } = await jsonOrThrow<{ access_token: string }>(await fetch(`${base}/api/v1/users/token`, { method: "POST", body: grant }));
  const headers = { authorization: `Bearer ${token}` };
  const get = async <T>(path: string) => jsonOrThrow<T>(await fetch(`${base}${path}`, { headers }));
  const me = await get<{ videoChannels: { id: number }[] }>("/api/v1/users/me");
  const channelId = me.videoChannels[0]!.id;
  return {
    base,
    token,
    channelId,
    get,
    async createLive(options) {
      const body = {
        channelId,
        name: options.name,
        privacy: 1,
        saveReplay: options.saveReplay ?? false,
        permanentLive: options.permanent ?? false,
        // PeerTube's LiveVideoLatencyMode: 1 default, 3 small latency.
        latencyMode: options.latency === "low" ? 3 : 1,
      };
      const created = await jsonOrThrow<{ video: { id: number; uuid: string; shortUUID: string } }>(
        await fetch(`${base}/api/v1/videos/live`, { method: "POST", headers: { ...headers, "content-type": "application/json" }, body: JSON.stringify(body) }),
      );
      const { id, uuid, shortUUID } = created.video;
      const live = await get<{ rtmpUrl: string; streamKey: string }>(`/api/v1/videos/live/${id}`);
      return { id, uuid, shortUUID, watchPath: `/w/${shortUUID}`, rtmpUrl: live.rtmpUrl, streamKey: live.streamKey };
    },
  };
}

export interface LiveInstance {
  readonly network: TestNetwork;
  readonly server: E2eServer;
  readonly proxy: CountingProxy;
  /** The proxy's origin: the instance's public URL, which browsers use. */
  readonly origin: string;
  /** RTMP listens on the host side of the namespace's link, where the publisher (in the root namespace) reaches it. */
  readonly rtmpPort: number;
  /** The streamer, logged in to the API. */
  readonly api: LiveApiClient;
  /** Stops the proxy and the server and deletes the namespace; safe after a partial start. */
  stop(): Promise<void>;
}

/** The streamer's account on a live instance. */
export const LIVE_STREAMER = { username: "streamer", email: "streamer@example.org", password: "Live-Stream-2024" } as const;

/**
 * The whole server (startServer, in this process) with its RTMP listener on a free port, behind the counting proxy
 * in the namespace like startP2PInstance, and a streamer account logged in to the API. P2P is on by default.
 */
export async function startLiveInstance(options: { env?: Record<string, string> } = {}): Promise<LiveInstance> {
  const undo: (() => Promise<unknown>)[] = [];
  const stop = async () => {
    for (const step of undo.splice(0).reverse()) await step().catch((e) => console.error(`live instance cleanup: ${(e as Error).message}`));
  };
  try {
    const network = await createTestNetwork();
    undo.push(() => network.close());
    const serverPort = await freePort(network.hostAddress);
    const rtmpPort = await freePort(network.hostAddress);
    const proxy = startCountingProxy({ hostname: network.hostAddress, backend: `http://${network.hostAddress}:${serverPort}` });
    undo.push(() => proxy.stop());
    const server = await startE2eServer({
      TUBELET_HOST: network.hostAddress,
      TUBELET_PORT: String(serverPort),
      TUBELET_PUBLIC_URL: proxy.url,
      TUBELET_TRUST_PROXY: "true",
      TUBELET_P2P: "on",
      TUBELET_RTMP_HOST: network.hostAddress,
      TUBELET_RTMP_PORT: String(rtmpPort),
      ...options.env,
    });
    undo.push(() => server.stop());
    await registerUser({ sql: server.db.sql, config: parseConfig({ DATABASE_URL: server.db.url }) }, { ...LIVE_STREAMER }, { bypassSignupMode: true });
    const api = await connectLiveApi(server.url, LIVE_STREAMER.username, LIVE_STREAMER.password);
    return { network, server, proxy, origin: proxy.url, rtmpPort, api, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
