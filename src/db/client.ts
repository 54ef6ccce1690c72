/** The PostgreSQL client and the start-up check that turns connection failures into operator-readable errors. */
import postgres, { type Sql } from "postgres";
import { ConfigError } from "../config.ts";

export type { Sql };

/**
 * How long a new pooled connection may take. A refused or wrong address fails at once whatever this is; a server
 * busy creating or dropping databases, or checkpointing, can take several seconds to start a backend, and every
 * new connection of a pool (not only the first) is held to this.
 */
const CONNECT_TIMEOUT_SECONDS = 15;

/** Opens a pool; rows come back with camelCase keys. */
export function createSql(databaseUrl: string, options: { max?: number; connectTimeoutSeconds?: number } = {}): Sql {
  return postgres(databaseUrl, {
    max: options.max ?? 10,
    transform: postgres.camel,
    onnotice: () => {},
    connect_timeout: options.connectTimeoutSeconds ?? CONNECT_TIMEOUT_SECONDS,
  });
}

const EXAMPLE = "postgres://postgres@127.0.0.1:5432/tubelet";

/** Runs one query; explains what is wrong when PostgreSQL cannot be reached or refuses us. */
export async function checkDatabase(sql: Sql, databaseUrl: string): Promise<void> {
  const where = new URL(databaseUrl);
  try {
    await sql`SELECT 1`;
  } catch (error) {
    const e = error as { code?: string; message?: string };
    const target = `${where.hostname}:${where.port || 5432}${where.pathname}`;
    if (e.code === "ECONNREFUSED" || e.code === "CONNECT_TIMEOUT" || e.code === "ENOTFOUND") {
      throw new ConfigError("DATABASE_URL", `cannot reach PostgreSQL at ${target} (${e.code}); is it running?`, EXAMPLE);
    }
    if (e.code === "3D000") {
      throw new ConfigError("DATABASE_URL", `database ${where.pathname.slice(1)} does not exist; create it with createdb`, EXAMPLE);
    }
    if (e.code === "28P01" || e.code === "28000") {
      throw new ConfigError("DATABASE_URL", `PostgreSQL at ${target} refused the credentials (${e.message})`, EXAMPLE);
    }
    throw new ConfigError("DATABASE_URL", `PostgreSQL at ${target} failed: ${e.message ?? String(error)}`, EXAMPLE);
  }
}

/** A pool or a transaction: query functions take either, so services can compose them inside `sql.begin`. */
export type Db = Sql | postgres.TransactionSql;
