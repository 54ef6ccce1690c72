/**
 * Server-Sent Events hubs fed by PostgreSQL LISTEN/NOTIFY, for pages that follow a value kept in the database
 * (a live's state, a person's unread count). One LISTEN connection per hub (opened at the first stream, closed
 * with the hub) fans out to every stream of this process; whichever process changes the value signals through
 * PostgreSQL with the key as the payload. Each stream gets the current value at once, then every change; a
 * comment line keeps idle streams open through proxies.
 */
import type { Sql } from "../db/client.ts";
import { HttpError } from "./errors.ts";

/** What the hub needs of a stream's client; features add their own fields. */
export interface StreamClient<K> {
  readonly key: K;
  readonly controller: ReadableStreamDefaultController<Uint8Array>;
}

export interface EventStreamHubOptions<K, V, C extends StreamClient<K>> {
  readonly sql: Sql;
  /** The NOTIFY channel; each payload names the key that changed. */
  readonly channel: string;
  readonly parseKey: (payload: string) => K;
  /** Reads a key's current value. */
  readonly load: (key: K) => Promise<V>;
  /** Hands a freshly read value to the key's streams (each client decides whether it changed for it). */
  readonly deliver: (key: K, value: V, clients: ReadonlySet<C>) => void;
  /** Names a key in log lines ("live status of video 3"). */
  readonly describe: (key: K) => string;
  /** A comment line this often keeps proxies and browsers from closing an idle stream. */
  readonly heartbeatMs: number;
  /** Called once a stream has joined its key. */
  readonly onAdd?: (client: C) => void;
  /** Called once a stream has left; `left` streams remain for its key. */
  readonly onRemove?: (client: C, left: number) => void;
}

export interface EventStreamHub<K, C extends StreamClient<K>> {
  /** Opens a stream for the client `make` builds; it receives the key's value at once. Ends when `signal` aborts. */
  open(key: K, make: (controller: ReadableStreamDefaultController<Uint8Array>) => C, signal: AbortSignal): Promise<ReadableStream<Uint8Array>>;
  /** The streams open for a key. */
  clientsOf(key: K): ReadonlySet<C>;
  /** Writes a frame to one stream; a stream closed by the other side is dropped. */
  write(client: C, text: string): void;
  /** Streams open in this process, for tests and metrics. */
  openCount(): number;
  /** Ends every stream and stops listening. */
  close(): Promise<void>;
}

const encoder = new TextEncoder();
const NO_CLIENTS: ReadonlySet<never> = new Set();

/** Creates a hub; nothing is opened until the first stream. */
export function createEventStreamHub<K, V, C extends StreamClient<K>>(options: EventStreamHubOptions<K, V, C>): EventStreamHub<K, C> {
  const { sql, channel } = options;
  const clients = new Map<K, Set<C>>();
  // Per key: a load is running; `true` means another change arrived meanwhile and it must run again.
  const refreshing = new Map<K, boolean>();
  let listening: Promise<{ unlisten(): Promise<void> }> | null = null;
  let heartbeat: ReturnType<typeof setInterval> | null = null;
  let closed = false;

  function write(client: C, text: string): void {
    try {
      client.controller.enqueue(encoder.encode(text));
    } catch {
      remove(client); // the stream was already closed by the other side
    }
  }

  async function refresh(key: K): Promise<void> {
    if (refreshing.has(key)) {
      refreshing.set(key, true);
      return;
    }
    try {
      // Loading again after a change that arrived mid-query keeps the last value sent the newest.
      do {
        refreshing.set(key, false);
        const value = await options.load(key);
        options.deliver(key, value, clients.get(key) ?? NO_CLIENTS);
      } while (refreshing.get(key) && clients.has(key));
    } catch (error) {
      console.error(`${options.describe(key)}: ${(error as Error).message}`);
    } finally {
      refreshing.delete(key);
    }
  }

  function startListening() {
    // `onlisten` also runs after postgres.js re-listens on a new connection: changes made in the gap are resent.
    listening ??= sql
      .listen(
        channel,
        (payload) => {
          const key = options.parseKey(payload);
          if (clients.has(key)) void refresh(key);
        },
        () => {
          for (const key of clients.keys()) void refresh(key);
        },
      )
      .catch((error: unknown) => {
        listening = null;
        throw error;
      });
    return listening;
  }

  function remove(client: C): void {
    const set = clients.get(client.key);
    if (!set?.delete(client)) return;
    if (set.size === 0) clients.delete(client.key);
    try {
      client.controller.close();
    } catch {
      // already closed by the other side
    }
    if (clients.size === 0 && heartbeat) {
      clearInterval(heartbeat);
      heartbeat = null;
    }
    options.onRemove?.(client, set.size);
  }

  function add(client: C): void {
    const set = clients.get(client.key) ?? new Set<C>();
    set.add(client);
    clients.set(client.key, set);
    heartbeat ??= setInterval(() => {
      for (const set of clients.values()) for (const c of set) write(c, ": keep-alive\n\n");
    }, options.heartbeatMs);
    heartbeat.unref?.();
    options.onAdd?.(client);
  }

  return {
    async open(key, make, signal) {
      if (closed) throw new HttpError(503, "The server is shutting down; the page will reconnect by itself.");
      // Listen before loading, so no change can fall between the first value and the first signal.
      await startListening();
      let client: C | undefined;
      const stream = new ReadableStream<Uint8Array>({
        start(controller) {
          client = make(controller);
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
      void refresh(key);
      return stream;
    },
    clientsOf: (key) => clients.get(key) ?? NO_CLIENTS,
    write,
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
