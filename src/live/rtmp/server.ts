/**
 * A publish-only RTMP server (no playback, no relay): one RtmpSession per TCP connection, whose actions this
 * file performs. node:net is used for its pause()/resume(): while the authorize hook, start() or a write()
 * is pending the socket is paused, so a fast publisher meets TCP backpressure instead of filling memory.
 * Nothing here throws out of a socket handler: a misbehaving client only ever closes its own connection.
 *
 * end() reasons: "unpublished" (FCUnpublish/deleteStream), "closed" (socket closed by the client), "error"
 * (protocol error, or write() failed), "timeout" (no media for idleTimeoutMs, or the hook answered after
 * publishTimeoutMs), "shutdown" (close()), "refused" (start() failed, or a second publish on the connection).
 */
import { createServer, type Server, type Socket } from "node:net";
import { RtmpSession, DEFAULT_RTMP_LIMITS, type SessionAction } from "./session.ts";
import type { AuthorizeResult, EndReason, PublishSession, RtmpHooks, RtmpLimits, RtmpServer } from "./types.ts";

export type { AuthorizeResult, EndReason, PublishRequest, PublishSession, RtmpHooks, RtmpLimits, RtmpServer, StreamInfo } from "./types.ts";
export { DEFAULT_RTMP_LIMITS, RTMP_APP, streamKeyFromPublishName } from "./session.ts";

export interface RtmpServerOptions {
  readonly host: string;
  /** 0 picks a free port; the server's `port` says which. */
  readonly port: number;
  readonly hooks: RtmpHooks;
  readonly limits?: Partial<RtmpLimits>;
  /** Where operational messages go (a refused key, a protocol error); console.error by default. */
  readonly log?: (message: string) => void;
}

/** How often deadlines (handshake, publish, idle, media probe) are checked. */
const TICK_MS = 250;
/** A refused client gets this long to read its onStatus error before the socket is destroyed. */
const REFUSE_LINGER_MS = 1_000;

/** Starts listening; resolves once the port is bound. */
export async function startRtmpServer(options: RtmpServerOptions): Promise<RtmpServer> {
  const limits: RtmpLimits = Object.freeze({ ...DEFAULT_RTMP_LIMITS, ...options.limits });
  const log = options.log ?? ((message: string) => console.error(`rtmp: ${message}`));
  const open = new Set<Connection>();
  const perAddress = new Map<string, number>();

  const server: Server = createServer({ noDelay: true }, (socket) => {
    try {
      const address = socket.remoteAddress ?? "unknown";
      const fromAddress = perAddress.get(address) ?? 0;
      if (open.size >= limits.maxConnections || fromAddress >= limits.maxConnectionsPerIp) {
        socket.destroy();
        return;
      }
      perAddress.set(address, fromAddress + 1);
      const connection = new Connection(socket, address, limits, options.hooks, log);
      open.add(connection);
      socket.once("close", () => {
        open.delete(connection);
        const left = (perAddress.get(address) ?? 1) - 1;
        if (left > 0) perAddress.set(address, left);
        else perAddress.delete(address);
        connection.socketClosed();
      });
    } catch (error) {
      log(`accepting a connection failed: ${(error as Error).message}`);
      socket.destroy();
    }
  });
  await new Promise<void>((resolve, reject) => {
    // A failure to listen goes to the caller, who names the setting to fix; later errors are only logged.
    server.once("error", reject);
    server.listen(options.port, options.host, () => {
      server.off("error", reject);
      server.on("error", (error) => log(`listener error: ${error.message}`));
      resolve();
    });
  });
  const address = server.address();
  const port = address && typeof address === "object" ? address.port : options.port;
  const ticker = setInterval(() => {
    const now = Date.now();
    for (const connection of open) connection.tick(now);
  }, TICK_MS);

  let closing: Promise<void> | null = null;
  return {
    port,
    connections: () => open.size,
    close() {
      closing ??= (async () => {
        clearInterval(ticker);
        const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
        const gone = [...open].map((connection) => connection.gone);
        for (const connection of open) connection.terminate("shutdown", "server shutting down");
        // Bun's listener may report closed before its sockets do; wait for each so connections() is 0 after.
        await Promise.all([stopped, ...gone]);
      })();
      return closing;
    },
  };
}

/** One accepted socket: performs its session's actions in order, pausing the socket while one is pending. */
class Connection {
  private readonly session: RtmpSession;
  private publisher: PublishSession | null = null;
  private publisherEnded = false;
  private closedWith: EndReason | null = null;
  private busy = false;
  private readonly backlog: Uint8Array[] = [];
  private backlogBytes = 0;
  private peerGone = false;
  private markGone!: () => void;
  /** Settles once the socket has closed. */
  readonly gone = new Promise<void>((resolve) => (this.markGone = resolve));

  constructor(
    private readonly socket: Socket,
    private readonly remoteAddress: string,
    private readonly limits: RtmpLimits,
    private readonly hooks: RtmpHooks,
    private readonly log: (message: string) => void,
  ) {
    this.session = new RtmpSession(limits, Date.now());
    socket.on("data", (chunk: Buffer) => this.feed(chunk));
    socket.on("error", () => {}); // "close" follows and does the cleanup
  }

  /** Clock tick from the server. While an action is pending only a close (a deadline) may act. */
  tick(now: number): void {
    if (this.closedWith) return;
    const actions = this.session.tick(now);
    const runnable = this.busy ? actions.filter((a) => a.kind === "close") : actions;
    const pending = this.perform(runnable, 0);
    if (pending) void this.waitFor(pending);
  }

  /**
   * The socket is gone. A publisher that sends FCUnpublish and closes at once may still have bytes in our
   * backlog (read before a pause took effect): those are processed first, so the tail of the stream and the
   * "unpublished" ending are not lost; a write that never settles cannot hold the ending back past the idle timeout.
   */
  socketClosed(): void {
    if (this.busy && !this.closedWith) {
      this.peerGone = true;
      setTimeout(() => this.finish(), this.limits.idleTimeoutMs).unref();
      return;
    }
    this.finish();
  }

  private finish(): void {
    if (!this.closedWith) this.closedWith = "closed";
    this.endPublisher(this.closedWith);
    this.markGone();
  }

  /** Closes the connection and ends the publisher with `reason`; a refused client may first read our reply. */
  terminate(reason: EndReason, message: string): void {
    if (this.closedWith) return;
    this.closedWith = reason;
    if (reason !== "shutdown" && reason !== "closed") this.log(`${this.remoteAddress}: closing (${reason}): ${message}`);
    this.endPublisher(reason);
    if (reason === "refused") {
      this.socket.end();
      setTimeout(() => this.socket.destroy(), REFUSE_LINGER_MS).unref();
    } else {
      this.socket.destroy();
    }
  }

  private feed(chunk: Uint8Array): void {
    if (this.closedWith) return;
    if (this.busy) {
      // pause() stops further reads, but a chunk already read may still be delivered.
      this.backlog.push(chunk);
      this.backlogBytes += chunk.length;
      if (this.backlogBytes > this.limits.maxPendingBytes) this.terminate("error", "too much data while paused");
      return;
    }
    const pending = this.perform(this.session.receive(chunk, Date.now()), 0);
    if (pending) void this.waitFor(pending);
  }

  /** Holds the socket paused until `pending` settles, then replays what arrived meanwhile. Never rejects. */
  private async waitFor(pending: Promise<void>): Promise<void> {
    if (this.busy) return; // the running waitFor owns the backlog; this promise is already chained behind it
    this.busy = true;
    this.socket.pause();
    await pending;
    while (!this.closedWith) {
      const chunk = this.backlog.shift();
      if (!chunk) break;
      this.backlogBytes -= chunk.length;
      const next = this.perform(this.session.receive(chunk, Date.now()), 0);
      if (next) await next;
    }
    this.busy = false;
    if (this.peerGone) this.finish();
    else if (!this.closedWith) this.socket.resume();
  }

  /** Performs actions in order, synchronously until one returns a promise; the rest then run after it. */
  private perform(actions: readonly SessionAction[], from: number): Promise<void> | undefined {
    for (let i = from; i < actions.length; i++) {
      if (this.closedWith) return undefined;
      const pending = this.performOne(actions[i]!);
      if (pending) return pending.then(() => this.perform(actions, i + 1));
    }
    return undefined;
  }

  private performOne(action: SessionAction): Promise<void> | undefined {
    switch (action.kind) {
      case "send":
        this.socket.write(action.bytes);
        return undefined;
      case "authorize":
        return this.authorize(action.app, action.streamKey, action.tcUrl);
      case "start":
        return this.callPublisher((p) => p.start(action.info), "refused", "start failed");
      case "media":
        return this.callPublisher((p) => p.write(action.flv), "error", "write failed");
      case "unpublish":
        this.endPublisher("unpublished");
        return undefined;
      case "close":
        this.terminate(action.reason, action.message);
        return undefined;
    }
  }

  /** Calls the publisher, turning a throw or a rejection into closing the connection with `reason`. */
  private callPublisher(call: (publisher: PublishSession) => void | Promise<void>, reason: EndReason, what: string): Promise<void> | undefined {
    const publisher = this.publisher;
    if (!publisher || this.publisherEnded) return undefined;
    const fail = (error: unknown) => this.terminate(reason, `${what}: ${(error as Error)?.message ?? error}`);
    try {
      const result = call(publisher);
      return result instanceof Promise ? result.then(undefined, fail) : undefined;
    } catch (error) {
      fail(error);
      return undefined;
    }
  }

  private authorize(app: string, streamKey: string, tcUrl: string): Promise<void> {
    const request = { app, streamKey, tcUrl, remoteAddress: this.remoteAddress };
    return Promise.resolve()
      .then(() => this.hooks.authorize(request))
      .then(
        (result) => this.authorizeAnswered(result),
        (error) => {
          this.log(`authorize hook failed: ${(error as Error)?.message ?? error}`);
          return this.authorizeAnswered({ refuse: "the stream key could not be checked" });
        },
      );
  }

  private authorizeAnswered(result: AuthorizeResult): Promise<void> | undefined {
    const refused = typeof (result as { refuse?: unknown }).refuse === "string";
    if (this.closedWith) {
      // The client left (or a deadline passed) while the key was checked: the session never starts.
      if (!refused) safeEnd(result as PublishSession, this.closedWith, this.log);
      return undefined;
    }
    if (refused) {
      const reason = (result as { refuse: string }).refuse;
      return this.perform(this.session.authorized({ refuse: reason }, Date.now()), 0);
    }
    this.publisher = result as PublishSession;
    return this.perform(this.session.authorized({ accepted: true }, Date.now()), 0);
  }

  private endPublisher(reason: EndReason): void {
    if (!this.publisher || this.publisherEnded) return;
    this.publisherEnded = true;
    safeEnd(this.publisher, reason, this.log);
  }
}

function safeEnd(publisher: PublishSession, reason: EndReason, log: (message: string) => void): void {
  try {
    publisher.end(reason);
  } catch (error) {
    log(`end(${reason}) failed: ${(error as Error)?.message ?? error}`);
  }
}
