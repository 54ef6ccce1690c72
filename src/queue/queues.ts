/** Typed BullMQ queues and the in-process worker pool. Payloads are validated where workers receive them. */
import { Queue, Worker, type Job, type ConnectionOptions } from "bullmq";

/** Every queue's payload, by queue name. */
export interface JobPayloads {
  /** `local`: a job no remote runner took in time, transcoded here whatever the transcoding mode. */
  transcode: { videoId: number; local?: boolean };
  /**
   * An inbound activity whose signature was verified, and the local actor whose inbox got it (null: shared inbox).
   * `forwardedBy`: the actor that signed it when that is not its author (a forwarded comment).
   */
  "ap-inbox": { activity: Record<string, unknown>; recipient: string | null; forwardedBy?: string };
  /** One outbound activity for one inbox, signed at delivery time by the local actor `signerActorId`. */
  "ap-deliver": { inbox: string; activity: Record<string, unknown>; signerActorId: number };
}
export type QueueName = keyof JobPayloads;

const VALIDATORS: { [Q in QueueName]: (data: unknown) => JobPayloads[Q] } = {
  transcode(data) {
    const videoId = (data as { videoId?: unknown } | null)?.videoId;
    if (typeof videoId !== "number" || !Number.isInteger(videoId) || videoId <= 0) {
      throw new Error(`transcode job needs a positive integer videoId, got ${JSON.stringify(data)}`);
    }
    const local = (data as { local?: unknown }).local;
    if (local !== undefined && typeof local !== "boolean") throw new Error("transcode job's local flag must be a boolean");
    return local ? { videoId, local } : { videoId };
  },
  "ap-inbox"(data) {
    const { activity, recipient, forwardedBy } = (data ?? {}) as { activity?: unknown; recipient?: unknown; forwardedBy?: unknown };
    if (!isRecord(activity)) throw new Error("ap-inbox job needs an activity object");
    if (recipient !== null && typeof recipient !== "string") throw new Error("ap-inbox job needs a recipient handle or null");
    if (forwardedBy !== undefined && typeof forwardedBy !== "string") throw new Error("ap-inbox job's forwardedBy must be an actor id");
    return { activity, recipient, ...(forwardedBy === undefined ? {} : { forwardedBy }) };
  },
  "ap-deliver"(data) {
    const { inbox, activity, signerActorId } = (data ?? {}) as { inbox?: unknown; activity?: unknown; signerActorId?: unknown };
    if (typeof inbox !== "string" || !/^https?:\/\//.test(inbox)) throw new Error(`ap-deliver job needs an http(s) inbox, got ${JSON.stringify(inbox)}`);
    if (!isRecord(activity)) throw new Error("ap-deliver job needs an activity object");
    if (typeof signerActorId !== "number" || !Number.isInteger(signerActorId) || signerActorId <= 0) {
      throw new Error("ap-deliver job needs a positive integer signerActorId");
    }
    return { inbox, activity, signerActorId };
  },
};

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** BullMQ wants plain connection options; workers block, so they need `maxRetriesPerRequest: null`. */
export function connectionFromUrl(redisUrl: string): ConnectionOptions {
  const url = new URL(redisUrl);
  return {
    host: url.hostname,
    port: Number(url.port || 6379),
    username: url.username || undefined,
    password: url.password ? decodeURIComponent(url.password) : undefined,
    db: url.pathname.length > 1 ? Number(url.pathname.slice(1)) : 0,
    tls: url.protocol === "rediss:" ? {} : undefined,
    maxRetriesPerRequest: null,
  };
}

/** Retries with exponential backoff: 3 attempts, 10 s then 20 s apart. */
export const DEFAULT_JOB_OPTIONS = {
  attempts: 3,
  backoff: { type: "exponential", delay: 10_000 },
  removeOnComplete: { age: 86_400, count: 1000 },
  removeOnFail: { age: 7 * 86_400 },
} as const;

/** Per-job overrides of DEFAULT_JOB_OPTIONS: a stable id (adding it again while it exists is a no-op) and retries. */
export interface AddOptions {
  readonly jobId?: string;
  readonly attempts?: number;
  /** First retry delay; exponential, so each next one doubles. */
  readonly backoffMs?: number;
}

export interface Queues {
  add<Q extends QueueName>(queue: Q, payload: JobPayloads[Q], options?: AddOptions): Promise<void>;
  close(): Promise<void>;
}

export function createQueues(redisUrl: string, prefix: string): Queues {
  const connection = connectionFromUrl(redisUrl);
  const queues = new Map<QueueName, Queue>();
  const queueFor = (name: QueueName) => {
    let queue = queues.get(name);
    if (!queue) {
      queue = new Queue(name, { connection, prefix: `${prefix}bull`, defaultJobOptions: DEFAULT_JOB_OPTIONS });
      queues.set(name, queue);
    }
    return queue;
  };
  return {
    async add(name, payload, options = {}) {
      VALIDATORS[name](payload);
      await queueFor(name).add(name, payload, {
        jobId: options.jobId,
        ...(options.attempts ? { attempts: options.attempts } : {}),
        ...(options.backoffMs ? { backoff: { type: "exponential", delay: options.backoffMs } } : {}),
      });
    },
    async close() {
      await Promise.all([...queues.values()].map((q) => q.close()));
    },
  };
}

export type JobHandler<Q extends QueueName> = (payload: JobPayloads[Q], job: Job) => Promise<void>;

export interface WorkerPool {
  close(): Promise<void>;
}

/** Starts one BullMQ worker per queue; a crashed process's active jobs are picked up again once their lock lapses. */
export function startWorkers(
  redisUrl: string,
  prefix: string,
  handlers: { [Q in QueueName]?: { handler: JobHandler<Q>; concurrency: number } },
  lockSeconds: number,
): WorkerPool {
  const connection = connectionFromUrl(redisUrl);
  // One worker per named queue; each entry's handler and validator belong to the same queue name.
  const workers = (Object.keys(handlers) as QueueName[]).map(<Q extends QueueName>(name: Q) => {
    const { handler, concurrency } = handlers[name] as { handler: JobHandler<Q>; concurrency: number };
    const validate = VALIDATORS[name] as (data: unknown) => JobPayloads[Q];
    const worker = new Worker(name, (job) => handler(validate(job.data), job), {
      connection,
      prefix: `${prefix}bull`,
      concurrency,
      lockDuration: lockSeconds * 1000,
      stalledInterval: Math.max(1000, (lockSeconds * 1000) / 2),
      maxStalledCount: 2,
    });
    worker.on("failed", (job, error) => console.error(`job ${name}#${job?.id} failed (attempt ${job?.attemptsMade}): ${error.message}`));
    worker.on("error", (error) => console.error(`worker ${name}: ${error.message}`));
    return worker;
  });
  return {
    async close() {
      await Promise.all(workers.map((w) => w.close()));
    },
  };
}
