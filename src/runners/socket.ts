/**
 * Pushing "jobs are waiting" to runners, so they need not poll fast. PeerTube's runner listens on a socket.io
 * namespace (`/runners`); Tubelet uses a plain WebSocket at /api/v1/runners/socket on the web port, authenticated
 * by an `x-runner-token` header on the upgrade (never in the URL, which proxies log). The instance sends
 * `{"type":"available-jobs"}`; a runner then calls /jobs/request. Any process can announce (workers offer jobs,
 * the sweep offers them again) through Redis publish/subscribe; each web process tells its own sockets.
 */
import type { Redis } from "ioredis";
import type { Server, ServerWebSocket, WebSocketHandler } from "bun";
import type { Sql } from "../db/client.ts";
import { RUNNER_SOCKET_PATH, RUNNER_TOKEN_HEADER } from "./client.ts";
import { authenticateRunner } from "./service.ts";

export const AVAILABLE_JOBS_MESSAGE = JSON.stringify({ type: "available-jobs" });

/** The Redis channel of one instance's announcements. */
export function announceChannel(redisPrefix: string): string {
  return `${redisPrefix}runner-jobs`;
}

/** Publishes "jobs are waiting" to every web process of the instance; never throws. */
export function runnerAnnouncer(redis: Redis, redisPrefix: string): () => void {
  const channel = announceChannel(redisPrefix);
  return () => {
    redis.publish(channel, "1").catch((error: Error) => console.error(`runner announce: ${error.message}`));
  };
}

/** A runner's socket; the class tells these apart from tracker sockets on the shared Bun.serve. */
export class RunnerSocket {
  constructor(readonly runnerId: number) {}
}

export interface RunnerSocketHub {
  /** Upgrades a request for the runner socket path; null for any other request. */
  tryUpgrade(request: Request, server: Server<RunnerSocket>, ip: string): Promise<Response | undefined> | null;
  /** Wraps the server's other WebSocket handler so runner sockets and the others share one Bun.serve. */
  combine<T>(other: WebSocketHandler<T>): WebSocketHandler<T | RunnerSocket>;
  readonly connections: () => number;
  close(): Promise<void>;
}

/** Subscribes to the announcements and keeps the connected runners' sockets. */
export async function createRunnerSocketHub(deps: { sql: Sql; redis: Redis; redisPrefix: string }): Promise<RunnerSocketHub> {
  const sockets = new Set<ServerWebSocket<RunnerSocket>>();
  const subscriber = deps.redis.duplicate();
  await subscriber.subscribe(announceChannel(deps.redisPrefix));
  subscriber.on("message", () => {
    for (const ws of sockets) ws.send(AVAILABLE_JOBS_MESSAGE);
  });
  const isRunner = (ws: ServerWebSocket<unknown>): ws is ServerWebSocket<RunnerSocket> => ws.data instanceof RunnerSocket;
  return {
    tryUpgrade(request, server, ip) {
      if (request.headers.get("upgrade")?.toLowerCase() !== "websocket") return null;
      if (new URL(request.url).pathname !== RUNNER_SOCKET_PATH) return null;
      return (async () => {
        let runnerId: number;
        try {
          runnerId = (await authenticateRunner(deps.sql, request.headers.get(RUNNER_TOKEN_HEADER), ip)).id;
        } catch {
          return Response.json({ status: 404, detail: "Unknown runner token.", code: "unknown_runner_token" }, { status: 404 });
        }
        return server.upgrade(request, { data: new RunnerSocket(runnerId) }) ? undefined : new Response("Expected a WebSocket upgrade.", { status: 400 });
      })();
    },
    combine<T>(other: WebSocketHandler<T>): WebSocketHandler<T | RunnerSocket> {
      return {
        ...(other as WebSocketHandler<T | RunnerSocket>),
        open(ws) {
          if (isRunner(ws)) {
            sockets.add(ws);
            // Jobs may already be waiting: the runner asks at once.
            ws.send(AVAILABLE_JOBS_MESSAGE);
          } else other.open?.(ws as ServerWebSocket<T>);
        },
        message(ws, message) {
          if (!isRunner(ws)) return other.message?.(ws as ServerWebSocket<T>, message);
        },
        close(ws, code, reason) {
          if (isRunner(ws)) sockets.delete(ws);
          else other.close?.(ws as ServerWebSocket<T>, code, reason);
        },
        drain(ws) {
          if (!isRunner(ws)) other.drain?.(ws as ServerWebSocket<T>);
        },
      };
    },
    connections: () => sockets.size,
    async close() {
      for (const ws of sockets) ws.close(1001, "server stopping");
      subscriber.disconnect();
    },
  };
}
