/**
 * Live state events: Server-Sent Events streams, one per open watch page of a live, on an event-stream hub
 * (src/http/event-streams.ts) listening on LIVE_CHANNEL; whichever process changes a live (the ingest, a worker
 * linking a replay) signals through PostgreSQL. The viewer count is the number of streams open for the video
 * in this process, sent at most once per `viewersIntervalMs` when it changes.
 */
import type { Sql } from "../db/client.ts";
import { HttpError } from "../http/errors.ts";
import { createEventStreamHub, type EventStreamHub, type StreamClient } from "../http/event-streams.ts";
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

interface Client extends StreamClient<number> {
  readonly ip: string;
  readonly label: (viewers: number) => string;
  lastStatus: string;
  lastViewers: number;
}

const GONE: LiveStatus = { state: "ended", session: null, masterUrl: null, hashesUrl: null, replayUrl: null };

/** The `event: live` frame for one client. */
export function liveEventFrame(status: LiveStatus, viewers: number, label: (viewers: number) => string): string {
  const data: LiveEventData = { ...status, viewers, viewersLabel: label(viewers) };
  return `event: live\ndata: ${JSON.stringify(data)}\n\n`;
}

/** Creates the per-app hub; nothing is opened until the first stream. */
export function createLiveEvents(sql: Sql, options: LiveEventsOptions): LiveEvents {
  const maxPerIp = options.maxPerIp ?? 8;
  const viewersIntervalMs = options.viewersIntervalMs ?? 1000;
  const perIp = new Map<string, number>();
  const statuses = new Map<number, LiveStatus>();
  const viewerTimers = new Map<number, ReturnType<typeof setTimeout>>();
  let closed = false;

  const send = (client: Client, status: LiveStatus) => {
    const viewers = hub.clientsOf(client.key).size;
    client.lastStatus = JSON.stringify(status);
    client.lastViewers = viewers;
    hub.write(client, liveEventFrame(status, viewers, client.label));
  };

  const hub: EventStreamHub<number, Client> = createEventStreamHub<number, LiveStatus, Client>({
    sql,
    channel: LIVE_CHANNEL,
    parseKey: Number,
    load: async (videoId) => (await options.load(videoId)) ?? GONE,
    deliver(videoId, status, clients) {
      statuses.set(videoId, status);
      const text = JSON.stringify(status);
      for (const client of clients) if (client.lastStatus !== text) send(client, status);
    },
    describe: (videoId) => `live status of video ${videoId}`,
    heartbeatMs: options.heartbeatMs ?? 25_000,
    onAdd: (client) => perIp.set(client.ip, (perIp.get(client.ip) ?? 0) + 1),
    onRemove(client, left) {
      if (left === 0) statuses.delete(client.key);
      else scheduleViewers(client.key);
      const n = (perIp.get(client.ip) ?? 1) - 1;
      if (n > 0) perIp.set(client.ip, n);
      else perIp.delete(client.ip);
    },
  });

  /** Sends the new viewer count of a video, at most once per interval. */
  function scheduleViewers(videoId: number) {
    if (closed || viewerTimers.has(videoId)) return;
    const timer = setTimeout(() => {
      viewerTimers.delete(videoId);
      const status = statuses.get(videoId);
      const watching = hub.clientsOf(videoId);
      if (status) for (const client of watching) if (client.lastViewers !== watching.size) send(client, status);
    }, viewersIntervalMs);
    timer.unref?.();
    viewerTimers.set(videoId, timer);
  }

  return {
    async open({ videoId, ip, label, signal }) {
      if ((perIp.get(ip) ?? 0) >= maxPerIp) {
        throw new HttpError(429, `Your address already has ${maxPerIp} live pages open; close one and reload this page.`);
      }
      const stream = await hub.open(videoId, (controller) => ({ key: videoId, ip, controller, label, lastStatus: "", lastViewers: -1 }), signal);
      scheduleViewers(videoId);
      return stream;
    },
    viewers: (videoId) => hub.clientsOf(videoId).size,
    openCount: hub.openCount,
    async close() {
      closed = true;
      for (const timer of viewerTimers.values()) clearTimeout(timer);
      viewerTimers.clear();
      await hub.close();
    },
  };
}
