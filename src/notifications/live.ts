/**
 * The live unread count: Server-Sent Events streams, one per open page, fed by PostgreSQL LISTEN/NOTIFY.
 * One LISTEN connection per app (opened at the first stream, closed with the app) fans out to every
 * stream of this process; any process that changes a count (web or worker) signals through PostgreSQL.
 */
import type { Sql } from "../db/client.ts";
import { HttpError } from "../http/errors.ts";
import { createEventStreamHub, type EventStreamHub, type StreamClient } from "../http/event-streams.ts";
import { countUnread, UNREAD_CHANNEL } from "./queries.ts";

export interface UnreadStreamsOptions {
  /** A comment line this often keeps proxies and browsers from closing an idle stream. */
  readonly heartbeatMs?: number;
  /** Open streams per person in this process (tabs, devices); more are refused with 429. */
  readonly maxPerUser?: number;
}

export interface UnreadStreams {
  /** Opens a stream for a person: the current count at once, then each new count. Ends when `signal` aborts. */
  open(userId: number, label: (count: number) => string, signal: AbortSignal): Promise<ReadableStream<Uint8Array>>;
  /** Streams open in this process, for tests and metrics. */
  openCount(): number;
  /** Ends every stream and stops listening. */
  close(): Promise<void>;
}

interface Client extends StreamClient<number> {
  readonly label: (count: number) => string;
  last: number;
}

/** Creates the per-app hub; nothing is opened until the first stream. */
export function createUnreadStreams(sql: Sql, options: UnreadStreamsOptions = {}): UnreadStreams {
  const maxPerUser = options.maxPerUser ?? 5;
  const hub: EventStreamHub<number, Client> = createEventStreamHub<number, number, Client>({
    sql,
    channel: UNREAD_CHANNEL,
    parseKey: Number,
    load: (userId) => countUnread(sql, userId),
    deliver(_userId, count, clients) {
      for (const client of clients) {
        if (count === client.last) continue;
        client.last = count;
        hub.write(client, `event: unread\ndata: ${JSON.stringify({ count, label: client.label(count) })}\n\n`);
      }
    },
    describe: (userId) => `unread count for user ${userId}`,
    heartbeatMs: options.heartbeatMs ?? 25_000,
  });

  return {
    open(userId, label, signal) {
      if (hub.clientsOf(userId).size >= maxPerUser) {
        throw new HttpError(429, `You already have ${maxPerUser} pages receiving live notifications; close one and reload this page.`);
      }
      return hub.open(userId, (controller) => ({ key: userId, controller, label, last: -1 }), signal);
    },
    openCount: hub.openCount,
    close: hub.close,
  };
}
