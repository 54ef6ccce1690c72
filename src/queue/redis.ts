/** Redis connections (job queue, rate limits, caches) and the start-up reachability check. */
import Redis from "ioredis";
import { ConfigError } from "../config.ts";

export type { Redis };

/** A connection that fails fast instead of queueing commands forever while Redis is down. */
export function createRedis(redisUrl: string): Redis {
  const redis = new Redis(redisUrl, {
    lazyConnect: true,
    maxRetriesPerRequest: 2,
    connectTimeout: 3000,
    enableOfflineQueue: true,
  });
  // Without a listener ioredis prints every failed reconnect with a stack trace; remember the cause instead.
  redis.on("error", (error: Error) => {
    lastErrors.set(redis, error.message);
  });
  return redis;
}

const lastErrors = new WeakMap<Redis, string>();

/** Connects and pings; explains what is wrong when Redis cannot be reached. */
export async function checkRedis(redis: Redis, redisUrl: string): Promise<void> {
  const where = new URL(redisUrl);
  const target = `${where.hostname}:${where.port || 6379}`;
  try {
    if (redis.status === "wait") await redis.connect();
    await redis.ping();
  } catch (error) {
    const message = lastErrors.get(redis) ?? (error as Error).message ?? String(error);
    redis.disconnect();
    throw new ConfigError("REDIS_URL", `cannot reach Redis at ${target} (${message}); is it running?`, "redis://127.0.0.1:6379");
  }
}
