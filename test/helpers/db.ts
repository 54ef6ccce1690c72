/** A fresh, migrated PostgreSQL database per test file, dropped afterwards, so runs never see each other's data. */
import postgres from "postgres";
import { createSql, type Sql } from "../../src/db/client.ts";
import { migrate } from "../../src/db/migrate.ts";
import { MIGRATIONS } from "../../src/db/migrations.ts";

/** Where test databases are created; scripts/setup.sh makes sure this server accepts us. */
export const ADMIN_DATABASE_URL = process.env.TEST_DATABASE_ADMIN_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

export interface TestDatabase {
  readonly url: string;
  readonly sql: Sql;
  drop(): Promise<void>;
}

export function uniqueName(prefix: string): string {
  return `${prefix}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
}

/** Creates an empty database; with `migrated`, applies every migration too. */
export async function createTestDatabase({ migrated = true } = {}): Promise<TestDatabase> {
  const name = uniqueName("tubelet_test");
  const admin = postgres(ADMIN_DATABASE_URL, { max: 1, onnotice: () => {} });
  await admin.unsafe(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(ADMIN_DATABASE_URL);
  url.pathname = `/${name}`;
  // Test files create and drop databases one after another; the server can be slow to start a backend meanwhile.
  const sql = createSql(url.href, { max: 5, connectTimeoutSeconds: 30 });
  if (migrated) await migrate(sql, MIGRATIONS);
  return {
    url: url.href,
    sql,
    async drop() {
      await sql.end({ timeout: 1 });
      const again = postgres(ADMIN_DATABASE_URL, { max: 1, onnotice: () => {} });
      await again.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await again.end();
    },
  };
}
