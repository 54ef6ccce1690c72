/**
 * The runner's side of the runner API: plain HTTP calls to one instance, tokens in the body as PeerTube's runner
 * sends them. Needs neither PostgreSQL nor Redis. Every request goes to the configured instance's origin, even
 * when a payload names another host, so tokens never leave for a third party.
 */
import { createWriteStream } from "node:fs";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";

/** Where a runner hears of new jobs (see socket.ts), and the header of the upgrade that carries its token. */
export const RUNNER_SOCKET_PATH = "/api/v1/runners/socket";
export const RUNNER_TOKEN_HEADER = "x-runner-token";

export interface AvailableJob {
  readonly uuid: string;
  readonly type: string;
  readonly payload: Record<string, unknown>;
}

export interface AcceptedJob extends AvailableJob {
  readonly jobToken: string;
}

/** The instance answered with an error; `status` tells a gone job (404/409) from a refused token. */
export class RunnerApiError extends Error {
  override name = "RunnerApiError";
  constructor(
    readonly status: number,
    message: string,
    readonly code?: string,
  ) {
    super(message);
  }
}

export interface RunnerClient {
  readonly origin: string;
  register(registrationToken: string, name: string): Promise<{ id: number; runnerToken: string }>;
  requestJobs(runnerToken: string): Promise<AvailableJob[]>;
  accept(runnerToken: string, uuid: string): Promise<AcceptedJob>;
  update(tokens: JobTokens, uuid: string, progress: number): Promise<void>;
  error(tokens: JobTokens, uuid: string, message: string): Promise<void>;
  abort(tokens: JobTokens, uuid: string, reason: string): Promise<void>;
  /** Downloads a job file (path from the payload) to `destination`. */
  download(tokens: JobTokens, fileUrl: string, destination: string): Promise<void>;
  /** Posts the result files, each named by its path relative to the output folder. */
  success(tokens: JobTokens, uuid: string, files: readonly { name: string; path: string }[]): Promise<void>;
  /** Opens a live's FLV stream (path from the payload). */
  openStream(tokens: JobTokens, streamUrl: string): Promise<ReadableStream<Uint8Array>>;
  /** Sends a live's new segments and playlists, given as bytes read when they were complete. */
  sendLiveFiles(tokens: JobTokens, uuid: string, files: readonly { name: string; bytes: Uint8Array }[]): Promise<void>;
}

export interface JobTokens {
  readonly runnerToken: string;
  readonly jobToken: string;
}

/** The instance's origin for a URL the runner was given; throws on anything but http(s). */
export function instanceOrigin(url: string): string {
  const parsed = new URL(url);
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") throw new Error(`--url must be http(s), not ${parsed.protocol}`);
  return parsed.origin;
}

/** A URL from a payload, moved onto the instance's origin (path and query kept). */
export function onInstance(origin: string, url: string): string {
  const parsed = new URL(url, origin);
  return `${origin}${parsed.pathname}${parsed.search}`;
}

function tokenForm(tokens: JobTokens): FormData {
  const form = new FormData();
  form.set("runnerToken", tokens.runnerToken);
  form.set("jobToken", tokens.jobToken);
  return form;
}

export function createRunnerClient(url: string): RunnerClient {
  const origin = instanceOrigin(url);
  const api = `${origin}/api/v1/runners`;
  const post = async (path: string, body: Record<string, unknown> | FormData): Promise<Response> => {
    const init: RequestInit = body instanceof FormData ? { method: "POST", body } : { method: "POST", body: JSON.stringify(body), headers: { "content-type": "application/json" } };
    const response = await fetch(path.startsWith("http") ? path : `${api}${path}`, init);
    if (!response.ok) {
      const problem = (await response.json().catch(() => ({}))) as { detail?: string; error?: string; code?: string };
      throw new RunnerApiError(response.status, `${path.split("?")[0]}: ${response.status} ${problem.detail ?? problem.error ?? response.statusText}`, problem.code);
    }
    return response;
  };
  const job = (uuid: string) => `/jobs/${encodeURIComponent(uuid)}`;
  return {
    origin,
    async register(registrationToken, name) {
      return (await post("/register", { registrationToken, name })).json() as Promise<{ id: number; runnerToken: string }>;
    },
    async requestJobs(runnerToken) {
      const body = (await (await post("/jobs/request", { runnerToken })).json()) as { availableJobs?: AvailableJob[] };
      return body.availableJobs ?? [];
    },
    async accept(runnerToken, uuid) {
      const body = (await (await post(`${job(uuid)}/accept`, { runnerToken })).json()) as { job: AcceptedJob };
      return body.job;
    },
    async update(tokens, uuid, progress) {
      await post(`${job(uuid)}/update`, { ...tokens, progress });
    },
    async error(tokens, uuid, message) {
      await post(`${job(uuid)}/error`, { ...tokens, message: message.slice(0, 1000) });
    },
    async abort(tokens, uuid, reason) {
      await post(`${job(uuid)}/abort`, { ...tokens, reason });
    },
    async download(tokens, fileUrl, destination) {
      const response = await post(onInstance(origin, fileUrl), { ...tokens });
      if (!response.body) throw new Error("the instance sent no file");
      await pipeline(Readable.fromWeb(response.body as never), createWriteStream(destination));
    },
    async success(tokens, uuid, files) {
      const form = tokenForm(tokens);
      for (const file of files) form.append("payload[files]", Bun.file(file.path), file.name);
      await post(`${job(uuid)}/success`, form);
    },
    async openStream(tokens, streamUrl) {
      const response = await post(onInstance(origin, streamUrl), { ...tokens });
      if (!response.body) throw new Error("the instance sent no stream");
      return response.body;
    },
    async sendLiveFiles(tokens, uuid, files) {
      const form = tokenForm(tokens);
      for (const file of files) form.append("payload[files]", new Blob([file.bytes as Uint8Array<ArrayBuffer>]), file.name);
      await post(`${job(uuid)}/update`, form);
    },
  };
}
