/** A published video with its master playlist on disk, and a WebTorrent tracker client speaking the wire protocol. */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Sql } from "../../src/db/client.ts";
import { infoHashesForVideo, type VideoSwarm } from "../../src/p2p/swarm-ids.ts";

/** A two-rung master playlist as the transcoder writes it. */
export const TEST_MASTER = `#EXTM3U
#EXT-X-VERSION:7
#EXT-X-INDEPENDENT-SEGMENTS
#EXT-X-STREAM-INF:BANDWIDTH=390124,AVERAGE-BANDWIDTH=350000,CODECS="avc1.640015,mp4a.40.2",RESOLUTION=426x240,FRAME-RATE=30.000
240p.m3u8

#EXT-X-STREAM-INF:BANDWIDTH=1900000,AVERAGE-BANDWIDTH=1700000,CODECS="avc1.64001f,mp4a.40.2",RESOLUTION=1280x720,FRAME-RATE=30.000
720p.m3u8
`;

/**
 * Inserts a published video straight into the table (no upload, no transcode) and writes its master playlist
 * where the transcoder would; returns the swarms its viewers would announce.
 */
export async function insertPublishedVideo(sql: Sql, dataDir: string, channelId: number, name = "Tracker test video") {
  const uuid = crypto.randomUUID();
  const renditions = [
    { height: 240, width: 426, bandwidth: 390124, playlist: "240p.m3u8", size: 100_000 },
    { height: 720, width: 1280, bandwidth: 1900000, playlist: "720p.m3u8", size: 400_000 },
  ];
  const [row] = await sql<{ id: number }[]>`
    INSERT INTO videos (uuid, short_id, channel_id, name, privacy, state, progress, duration, width, height, fps,
                        renditions, output_size, published_at)
    VALUES (${uuid}, ${uuid.slice(0, 12)}, ${channelId}, ${name}, 1, 'published', 100, 10, 1280, 720, 30,
            ${sql.json(renditions)}, 500000, now())
    RETURNING id::int`;
  const hlsDir = join(dataDir, "videos", uuid, "hls");
  await mkdir(hlsDir, { recursive: true });
  await writeFile(join(hlsDir, "master.m3u8"), TEST_MASTER);
  return { id: row!.id, uuid, swarms: infoHashesForVideo(uuid, TEST_MASTER) as VideoSwarm[] };
}

/** A 20-character peer id, as WebTorrent clients send them (prefix plus random characters). */
export function peerId(tag: string): string {
  return `-TT0001-${tag}`.padEnd(20, "x").slice(0, 20);
}

/** An announce as bittorrent-tracker's WebSocket client sends it. */
export function announce(infoHash: string, peer: string, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ action: "announce", info_hash: infoHash, peer_id: peer, numwant: 0, uploaded: 0, downloaded: 0, left: 1, event: "started", ...extra });
}

export type TrackerMessage = Record<string, unknown>;

/** Bun's WebSocket client takes request headers; the DOM typings only know the standard constructor. */
const BunWebSocket = WebSocket as unknown as new (url: string, options: { headers: Record<string, string> }) => WebSocket;

/** A WebSocket to the tracker that queues what it receives, so a test can wait for the next message. */
export class TrackerTestClient {
  private readonly inbox: TrackerMessage[] = [];
  private waiters: (() => void)[] = [];
  closed: { code: number; reason: string } | null = null;

  private constructor(readonly ws: WebSocket) {
    ws.addEventListener("message", (event) => {
      this.inbox.push(JSON.parse(String(event.data)) as TrackerMessage);
      this.wake();
    });
    ws.addEventListener("close", (event) => {
      this.closed = { code: event.code, reason: event.reason };
      this.wake();
    });
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }

  /** Connects from `ip` (sent as X-Forwarded-For: the server under test trusts its proxy); rejects if refused. */
  static connect(url: string, ip: string): Promise<TrackerTestClient> {
    const ws = new BunWebSocket(url, { headers: { "x-forwarded-for": ip } });
    const client = new TrackerTestClient(ws);
    return new Promise((resolve, reject) => {
      ws.addEventListener("open", () => resolve(client), { once: true });
      ws.addEventListener("error", () => reject(new Error(`tracker refused the connection from ${ip}`)), { once: true });
    });
  }

  send(data: string | Uint8Array): void {
    this.ws.send(data);
  }

  /** The next message, or an error once `timeoutMs` passes or the socket closes. */
  async next(timeoutMs = 5000): Promise<TrackerMessage> {
    const deadline = Date.now() + timeoutMs;
    while (this.inbox.length === 0) {
      if (this.closed) throw new Error(`socket closed (${this.closed.code}) while waiting for a message`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no message within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return this.inbox.shift()!;
  }

  /** Sends and returns the reply. */
  async request(data: string | Uint8Array): Promise<TrackerMessage> {
    this.send(data);
    return this.next();
  }

  /** Resolves with the close code once the server closes the socket, within `timeoutMs`. */
  async waitClosed(timeoutMs: number): Promise<{ code: number; reason: string }> {
    const deadline = Date.now() + timeoutMs;
    while (!this.closed) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`socket still open after ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return this.closed;
  }

  close(): void {
    this.ws.close();
  }
}
