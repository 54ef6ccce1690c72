/**
 * Live state events: Server-Sent Events streams, one per open watch page of a live, fed by PostgreSQL
 * LISTEN/NOTIFY on LIVE_CHANNEL. One LISTEN connection per app (opened at the first stream, closed with the
 * app) fans out to every stream of this process; whichever process changes a live (the ingest, a worker
 * linking a replay) signals through PostgreSQL. The viewer count is the number of streams open for the video
 * in this process, sent at most once per `viewersIntervalMs` when it changes.
 */
import type { Sql } from "../db/client.ts";
import { HttpError } from "../http/errors.ts";
import { LIVE_CHANNEL } from "./queries.ts";
import type { LiveStatus } from "./shapes.ts";

export interface LiveEventsOptions {
  /** Reads a live's current status (null when the video is gone). */
  readonly load: (videoId: number) => Promise<LiveStatus | null>;
  /** A comment line this often keeps proxies and browsers from closing an idle stream. */
  readonly heartbeatMs?: number;
  /** Streams open at once from one address (tabs, a household behind one NAT); more are refused with 429. */
  readonly maxPerIp?: number;
  /** Viewer counts are sent at most this often per video. */
  readonly viewersIntervalMs?: number;
}

/** One `live` event: the status, plus the viewer count and its label in the page's language. */
export interface LiveEventData extends LiveStatus {
  readonly viewers: number;
  readonly viewersLabel: string;
}

export interface LiveEvents {
  /** Opens a stream for a video's page: the current status at once, then each change. Ends when `signal` aborts. */
  open(o: { videoId: number; ip: string; label: (viewers: number) => string; signal: AbortSignal }): Promise<ReadableStream<Uint8Array>>;
  /** Streams open for a video in this process. */
  viewers(videoId: number): number;
  /** Streams open in this process, for tests and metrics. */
  openCount(): number;
  /** Ends every stream and stops listening. */
  close(): Promise<void>;
}

interface Client {
  readonly videoId: number;
  readonly ip: string;
  readonly controller: ReadableStreamDefaultController<Uint8Array>;
  readonly label: (viewers: number) => string;
  lastStatus: string;
  lastViewers: number;
}

const encoder = new TextEncoder();
const GONE: LiveStatus = { state: "ended", session: null, masterUrl: null, hashesUrl: null, replayUrl: null };

/** The `event: live` frame for one client. */
export function liveEventFrame(status: LiveStatus, viewers: number, label: (viewers: number) => string): string {
  const data: LiveEventData = { ...status, viewers, viewersLabel: label(viewers) };
  return `event: live\ndata: ${JSON.stringify(data)}\n\n`;
}

/** Creates the per-app hub; nothing is opened until the first stream. */
export function createLiveEvents(sql: Sql, options: LiveEventsOptions): LiveEvents {
  const heartbeatMs = options.heartbeatMs ?? 25_000;
  const maxPerIp = options.maxPerIp ?? 8;
  const viewersIntervalMs = options.viewersIntervalMs ?? 1000;
  const clients = new Map<number, Set<Client>>();
  const perIp = new Map<string, number>();
  const statuses = new Map<number, LiveStatus>();
  // Per video: a load is running; `true` means another change arrived meanwhile and it must run again.
  const refreshing = new Map<number, boolean>();
  const viewerTimers = new Map<number, ReturnType<typeof setTimeout>>();
  let listening: Promise<{ unlisten(): Promise<void> }> | null = null;
  let heartbeat: ReturnType<typeof setInterval> | null = null;
  let closed = false;

  const write = (client: Client, text: string) => {
    try {
      client.controller.enqueue(encoder.encode(text));
    } catch {
      remove(client); // the stream was already closed by the other side
    }
  };

  const send = (client: Client, status: LiveStatus) => {
    const viewers = clients.get(client.videoId)?.size ?? 0;
    client.lastStatus = JSON.stringify(status);
    client.lastViewers = viewers;
    write(client, liveEventFrame(status, viewers, client.label));
  };

  async function refresh(videoId: number): Promise<void> {
    if (refreshing.has(videoId)) {
      refreshing.set(videoId, true);
      return;
    }
    try {
      // Loading again after a change that arrived mid-query keeps the last status sent the newest.
      do {
        refreshing.set(videoId, false);
        const status = (await options.load(videoId)) ?? GONE;
        statuses.set(videoId, status);
        const text = JSON.stringify(status);
        for (const client of clients.get(videoId) ?? []) if (client.lastStatus !== text) send(client, status);
      } while (refreshing.get(videoId) && clients.has(videoId));
    } catch (error) {
      console.error(`live status of video ${videoId}: ${(error as Error).message}`);
    } finally {
      refreshing.delete(videoId);
    }
  }

  /** Sends the new viewer count of a video, at most once per interval. */
  function scheduleViewers(videoId: number) {
    if (closed || viewerTimers.has(videoId)) return;
    const timer = setTimeout(() => {
      viewerTimers.delete(videoId);
      const status = statuses.get(videoId);
      const count = clients.get(videoId)?.size ?? 0;
      if (status) for (const client of clients.get(videoId) ?? []) if (client.lastViewers !== count) send(client, status);
    }, viewersIntervalMs);
    timer.unref?.();
    viewerTimers.set(videoId, timer);
  }

  function startListening() {
    // `onlisten` also runs after postgres.js re-listens on a new connection: changes made in the gap are resent.
    listening ??= sql
      .listen(
        LIVE_CHANNEL,
        (payload) => {
          const videoId = Number(payload);
          if (clients.has(videoId)) void refresh(videoId);
        },
        () => {
          for (const videoId of clients.keys()) void refresh(videoId);
        },
      )
      .catch((error: unknown) => {
        listening = null;
        throw error;
      });
    return listening;
  }

  function remove(client: Client) {
    const set = clients.get(client.videoId);
    if (!set?.delete(client)) return;
    if (set.size === 0) {
      clients.delete(client.videoId);
      statuses.delete(client.videoId);
    } else scheduleViewers(client.videoId);
    const n = (perIp.get(client.ip) ?? 1) - 1;
    if (n > 0) perIp.set(client.ip, n);
    else perIp.delete(client.ip);
    try {
      client.controller.close();
    } catch {
      // already closed by the other side
    }
    if (clients.size === 0 && heartbeat) {
      clearInterval(heartbeat);
      heartbeat = null;
    }
  }

  function add(client: Client) {
    const set = clients.get(client.videoId) ?? new Set<Client>();
    set.add(client);
    clients.set(client.videoId, set);
    perIp.set(client.ip, (perIp.get(client.ip) ?? 0) + 1);
    heartbeat ??= setInterval(() => {
      for (const set of clients.values()) for (const c of set) write(c, ": keep-alive\n\n");
    }, heartbeatMs);
    heartbeat.unref?.();
  }

  return {
    async open({ videoId, ip, label, signal }) {
      if (closed) throw new HttpError(503, "The server is shutting down; the page will reconnect by itself.");
      if ((perIp.get(ip) ?? 0) >= maxPerIp) {
        throw new HttpError(429, `Your address already has ${maxPerIp} live pages open; close one and reload this page.`);
      }
      // Listen before loading, so no change can fall between the first status and the first signal.
      await startListening();
      let client: Client | undefined;
      const stream = new ReadableStream<Uint8Array>({
        start(controller) {
          client = { videoId, ip, controller, label, lastStatus: "", lastViewers: -1 };
          // How long EventSource waits before reconnecting after the stream drops.
          controller.enqueue(encoder.encode("retry: 5000\n\n"));
          add(client);
        },
        cancel() {
          if (client) remove(client);
        },
      });
      if (signal.aborted) remove(client!);
      else signal.addEventListener("abort", () => remove(client!), { once: true });
      scheduleViewers(videoId);
      void refresh(videoId);
      return stream;
    },
    viewers: (videoId) => clients.get(videoId)?.size ?? 0,
    openCount: () => [...clients.values()].reduce((n, set) => n + set.size, 0),
    async close() {
      closed = true;
      for (const timer of viewerTimers.values()) clearTimeout(timer);
      viewerTimers.clear();
      for (const set of [...clients.values()]) for (const client of [...set]) remove(client);
      const listener = await listening?.catch(() => null);
      listening = null;
      await listener?.unlisten().catch(() => {});
    },
  };
}
