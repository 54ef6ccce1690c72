/**
 * The live unread count: Server-Sent Events streams, one per open page, fed by PostgreSQL LISTEN/NOTIFY.
 * One LISTEN connection per app (opened at the first stream, closed with the app) fans out to every
 * stream of this process; any process that changes a count (web or worker) signals through PostgreSQL.
 */
import type { Sql } from "../db/client.ts";
import { HttpError } from "../http/errors.ts";
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

interface Client {
  readonly userId: number;
  readonly controller: ReadableStreamDefaultController<Uint8Array>;
  readonly label: (count: number) => string;
  last: number;
}

const encoder = new TextEncoder();

/** Creates the per-app hub; nothing is opened until the first stream. */
export function createUnreadStreams(sql: Sql, options: UnreadStreamsOptions = {}): UnreadStreams {
  const heartbeatMs = options.heartbeatMs ?? 25_000;
  const maxPerUser = options.maxPerUser ?? 5;
  const clients = new Map<number, Set<Client>>();
  // Per user: a count query is running; `true` means another change arrived meanwhile and it must run again.
  const refreshing = new Map<number, boolean>();
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

  const send = (client: Client, count: number) => {
    if (count === client.last) return;
    client.last = count;
    write(client, `event: unread\ndata: ${JSON.stringify({ count, label: client.label(count) })}\n\n`);
  };

  async function refresh(userId: number): Promise<void> {
    if (refreshing.has(userId)) {
      refreshing.set(userId, true);
      return;
    }
    refreshing.set(userId, false);
    try {
      // Counting again after a change that arrived mid-query keeps the last value sent the newest.
      do {
        refreshing.set(userId, false);
        const count = await countUnread(sql, userId);
        for (const client of clients.get(userId) ?? []) send(client, count);
      } while (refreshing.get(userId) && clients.has(userId));
    } catch (error) {
      console.error(`unread count for user ${userId}: ${(error as Error).message}`);
    } finally {
      refreshing.delete(userId);
    }
  }

  function startListening() {
    // `onlisten` also runs after postgres.js re-listens on a new connection: counts changed in the gap are resent.
    listening ??= sql.listen(UNREAD_CHANNEL, (payload) => {
      const userId = Number(payload);
      if (clients.has(userId)) void refresh(userId);
    }, () => {
      for (const userId of clients.keys()) void refresh(userId);
    }).catch((error: unknown) => {
      listening = null;
      throw error;
    });
    return listening;
  }

  function remove(client: Client) {
    const set = clients.get(client.userId);
    if (set?.delete(client)) {
      if (set.size === 0) clients.delete(client.userId);
      try {
        client.controller.close();
      } catch {
        // already closed by the other side
      }
    }
    if (clients.size === 0 && heartbeat) {
      clearInterval(heartbeat);
      heartbeat = null;
    }
  }

  function add(client: Client) {
    const set = clients.get(client.userId) ?? new Set<Client>();
    set.add(client);
    clients.set(client.userId, set);
    heartbeat ??= setInterval(() => {
      for (const set of clients.values()) for (const c of set) write(c, ": keep-alive\n\n");
    }, heartbeatMs);
    heartbeat.unref?.();
  }

  return {
    async open(userId, label, signal) {
      if (closed) throw new HttpError(503, "The server is shutting down; the page will reconnect by itself.");
      if ((clients.get(userId)?.size ?? 0) >= maxPerUser) {
        throw new HttpError(429, `You already have ${maxPerUser} pages receiving live notifications; close one and reload this page.`);
      }
      // Listen before counting, so no change can fall between the first count and the first signal.
      await startListening();
      let client: Client | undefined;
      const stream = new ReadableStream<Uint8Array>({
        start(controller) {
          client = { userId, controller, label, last: -1 };
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
      void refresh(userId);
      return stream;
    },
    openCount: () => [...clients.values()].reduce((n, set) => n + set.size, 0),
    async close() {
      closed = true;
      for (const set of [...clients.values()]) for (const client of [...set]) remove(client);
      const listener = await listening?.catch(() => null);
      listening = null;
      await listener?.unlisten().catch(() => {});
    },
  };
}
