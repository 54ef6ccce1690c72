/**
 * Creates the database named by DATABASE_URL when it is missing; used by scripts/setup.sh.
 * Exit codes tell setup.sh what to do next: 0 ready, 2 unreachable, 3 credentials refused, 1 anything else.
 */
import postgres from "postgres";

export const EXIT = { ready: 0, failed: 1, unreachable: 2, authRefused: 3 } as const;

const DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/tubelet";

/** Classifies a connection error into the exit code setup.sh acts on. */
export function exitCodeFor(error: unknown): number {
  const code = (error as { code?: string }).code;
  if (code === "28P01" || code === "28000") return EXIT.authRefused;
  if (code === "ECONNREFUSED" || code === "CONNECT_TIMEOUT" || code === "ENOTFOUND" || code === "EHOSTUNREACH") return EXIT.unreachable;
  return EXIT.failed;
}

/** The same server and credentials, pointed at the `postgres` maintenance database. */
export function maintenanceUrl(databaseUrl: string): string {
  const url = new URL(databaseUrl);
  url.pathname = "/postgres";
  return url.href;
}

function describe(url: URL): string {
  return `${url.username || "postgres"}@${url.hostname}:${url.port || 5432}`;
}

async function ensureDatabase(databaseUrl: string): Promise<number> {
  const url = new URL(databaseUrl);
  const name = decodeURIComponent(url.pathname.slice(1));
  if (!name) {
    console.error(`setup: DATABASE_URL names no database (example: ${DEFAULT_URL})`);
    return EXIT.failed;
  }
  const target = postgres(databaseUrl, { max: 1, connect_timeout: 5, onnotice: () => {} });
  try {
    await target`SELECT 1`;
    console.log(`setup: database ${name} on ${describe(url)} is ready`);
    return EXIT.ready;
  } catch (error) {
    if ((error as { code?: string }).code !== "3D000") {
      console.error(`setup: cannot use PostgreSQL as ${describe(url)}: ${(error as Error).message}`);
      return exitCodeFor(error);
    }
  } finally {
    await target.end({ timeout: 1 });
  }

  const admin = postgres(maintenanceUrl(databaseUrl), { max: 1, connect_timeout: 5, onnotice: () => {} });
  try {
    await admin.unsafe(`CREATE DATABASE "${name.replaceAll('"', '""')}"`);
    console.log(`setup: created database ${name} on ${describe(url)}`);
    return EXIT.ready;
  } catch (error) {
    // Another setup run may have created it between our two connections.
    if ((error as { code?: string }).code === "42P04") return EXIT.ready;
    console.error(`setup: cannot create database ${name} as ${describe(url)}: ${(error as Error).message}`);
    return exitCodeFor(error);
  } finally {
    await admin.end({ timeout: 1 });
  }
}

if (import.meta.main) {
  process.exit(await ensureDatabase(process.env.DATABASE_URL || DEFAULT_URL));
}
