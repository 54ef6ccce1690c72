/**
 * The embed's end of the jschannel wire protocol that `@peertube/embed-api` speaks over window.postMessage.
 * Every message is a JSON string:
 *   request   {"id": 7, "method": "peertube::play", "params": ...}   answered by
 *   result    {"id": 7, "result": ...}   or   error {"id": 7, "error": "name", "message": "text"}
 *   notify    {"method": "peertube::playbackStatusUpdate", "params": {...}}   (no id, no answer)
 * Before anything else each side announces itself with the notify `__ready` {type: "publish-request",
 * publish: []}; the side that receives a publish-request answers {type: "publish-reply"}. A jschannel queues
 * its calls until that handshake, so ours queues its notifications the same way.
 *
 * Security: any site may drive an embed (that is what embeds are for), so any origin is accepted, but only
 * messages whose source is our parent window, and answers go only to the origin that asked.
 */

/** A message as read off the wire, or null for anything that is not ours to handle. */
export type ChannelMessage =
  | { readonly kind: "request"; readonly id: number | string; readonly method: string; readonly params: unknown }
  | { readonly kind: "notify"; readonly method: string; readonly params: unknown };

/** Parses one postMessage payload for `scope`; other scopes, responses and malformed data give null. */
export function parseChannelMessage(data: unknown, scope: string): ChannelMessage | null {
  if (typeof data !== "string" || data.length > 65_536) return null;
  let message: unknown;
  try {
    message = JSON.parse(data);
  } catch {
    return null;
  }
  if (typeof message !== "object" || message === null || Array.isArray(message)) return null;
  const { id, method, params } = message as Record<string, unknown>;
  if (typeof method !== "string") return null;
  const parts = method.split("::");
  if (parts.length !== 2 || parts[0] !== scope || parts[1] === "") return null;
  if (typeof id === "number" || typeof id === "string") return { kind: "request", id, method: parts[1]!, params };
  return id === undefined ? { kind: "notify", method: parts[1]!, params } : null;
}

/** A method the parent may call: its result (or a promise of it) is sent back. */
export type ChannelMethod = (params: unknown) => unknown;

/** A thrown value as jschannel's error pair. */
export function errorReply(id: number | string, error: unknown): { id: number | string; error: string; message: string } {
  if (error instanceof Error) return { id, error: error.name || "runtime_error", message: error.message };
  return { id, error: "runtime_error", message: typeof error === "string" ? error : String(error) };
}

/** What the channel needs of the window it runs in; a fake in unit tests. */
export interface ChannelWindow {
  readonly parent: { postMessage(message: string, targetOrigin: string): void };
  addEventListener(type: "message", listener: (event: { data: unknown; origin: string; source: unknown }) => void): void;
}

export interface EmbedChannel {
  /** Sends an event to the parent; held back until the handshake, like jschannel does. */
  notify(method: string, params?: unknown): void;
  /** Whether a parent page has answered the handshake. */
  readonly connected: boolean;
}

/** Notifications kept while no parent has answered; older ones are dropped (they are periodic status). */
const MAX_QUEUED = 20;

/**
 * postMessage's target for an origin: an opaque origin ("null": a sandboxed parent without
 * allow-same-origin, a file: page) can only be reached with "*", and our parent is still the only receiver.
 */
function target(origin: string): string {
  return origin === "null" || origin === "" ? "*" : origin;
}

/** Opens the channel to window.parent and answers `methods` under `scope`. */
export function openEmbedChannel(win: ChannelWindow, scope: string, methods: Readonly<Record<string, ChannelMethod>>): EmbedChannel {
  let parentOrigin: string | null = null;
  const queue: string[] = [];
  const post = (message: object, origin: string) => win.parent.postMessage(JSON.stringify(message), target(origin));
  const ready = (type: "publish-request" | "publish-reply") => ({ method: `${scope}::__ready`, params: { type, publish: [] } });

  const connect = (origin: string) => {
    parentOrigin = origin;
    for (const message of queue.splice(0)) win.parent.postMessage(message, target(origin));
  };

  const answer = (id: number | string, method: string, params: unknown, origin: string) => {
    const handler = Object.hasOwn(methods, method) ? methods[method] : undefined;
    if (!handler) return post({ id, error: "method_not_found", message: `No method '${method}' was (yet) bound by the provider` }, origin);
    const reply = (result: unknown) => post(result === undefined ? { id } : { id, result }, origin);
    const fail = (error: unknown) => post(errorReply(id, error), origin);
    let result: unknown;
    try {
      result = handler(params);
    } catch (error) {
      return fail(error);
    }
    // Synchronous answers go out at once, in the order asked, as jschannel's do; promises when they settle.
    if (result instanceof Promise) result.then(reply, fail);
    else reply(result);
  };

  win.addEventListener("message", (event) => {
    if (event.source !== win.parent) return;
    const message = parseChannelMessage(event.data, scope);
    if (!message) return;
    if (message.kind === "request") {
      answer(message.id, message.method, message.params, event.origin);
      return;
    }
    if (message.method !== "__ready") return;
    const type = (message.params as { type?: unknown } | null)?.type;
    // A new parent page (the same frame navigated, or the API built again) starts over with a request.
    if (type === "publish-request") post(ready("publish-reply"), event.origin);
    if (type === "publish-request" || type === "publish-reply") connect(event.origin);
  });
  // Our own announcement carries nothing but the scope, so it may go out before we know who the parent is.
  win.parent.postMessage(JSON.stringify(ready("publish-request")), "*");

  return {
    notify(method, params) {
      const message = JSON.stringify({ method: `${scope}::${method}`, params });
      if (parentOrigin !== null) return win.parent.postMessage(message, target(parentOrigin));
      queue.push(message);
      if (queue.length > MAX_QUEUED) queue.splice(0, queue.length - MAX_QUEUED);
    },
    get connected() {
      return parentOrigin !== null;
    },
  };
}
