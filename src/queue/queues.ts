/** Typed BullMQ queues and the in-process worker pool. Payloads are validated where workers receive them. */
import { Queue, Worker, type Job, type ConnectionOptions } from "bullmq";

/** Every queue's payload, by queue name. */
export interface JobPayloads {
  transcode: { videoId: number };
}
export type QueueName = keyof JobPayloads;

const VALIDATORS: { [Q in QueueName]: (data: unknown) => JobPayloads[Q] } = {
  transcode(data) {
    const videoId = (data as { videoId?: unknown } | null)?.videoId;
    if (typeof videoId !== "number" || !Number.isInteger(videoId) || videoId <= 0) {
      throw new Error(`transcode job needs a positive integer videoId, got ${JSON.stringify(data)}`);
    }
    return { videoId };
  },
};

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

export interface Queues {
  add<Q extends QueueName>(queue: Q, payload: JobPayloads[Q], options?: { jobId?: string }): Promise<void>;
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
      await queueFor(name).add(name, payload, { jobId: options.jobId });
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
  const workers = (Object.keys(handlers) as QueueName[]).map((name) => {
    const { handler, concurrency } = handlers[name]!;
    const worker = new Worker(name, (job) => handler(VALIDATORS[name](job.data), job), {
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
