import { afterEach, expect, test } from "bun:test";
import { createSql } from "../../src/db/client.ts";
import { migrate } from "../../src/db/migrate.ts";
import { MIGRATIONS } from "../../src/db/migrations.ts";
import { createTestDatabase, type TestDatabase } from "../helpers/db.ts";

let db: TestDatabase | undefined;
afterEach(async () => {
  await db?.drop();
  db = undefined;
});

test("two processes starting at once migrate exactly once", async () => {
  db = await createTestDatabase({ migrated: false });
  // Separate pools stand for separate processes: each has its own connection and transaction.
  const pools = [createSql(db.url, { max: 1 }), createSql(db.url, { max: 1 }), createSql(db.url, { max: 1 })];
  try {
    const results = await Promise.all(pools.map((sql) => migrate(sql, MIGRATIONS)));
    const appliedCounts = results.map((r) => r.length).sort();
    expect(appliedCounts).toEqual([0, 0, MIGRATIONS.length]);
    const rows = await db.sql`SELECT version FROM schema_migrations ORDER BY version`;
    expect(rows.map((r) => r.version)).toEqual(MIGRATIONS.map((_, i) => i + 1));
  } finally {
    await Promise.all(pools.map((sql) => sql.end()));
  }
});

test("a failing migration leaves the database as it was", async () => {
  db = await createTestDatabase({ migrated: false });
  const broken = [...MIGRATIONS, { file: `${String(MIGRATIONS.length + 1).padStart(4, "0")}_broken.sql`, sql: "CREATE TABLE half_done (id int); SELECT nonsense FROM nowhere;" }];
  await expect(migrate(db.sql, broken)).rejects.toThrow(/nowhere/);
  const tables = await db.sql`SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'`;
  expect(tables.length).toBe(0);
  // The good migrations still apply afterwards.
  expect((await migrate(db.sql, MIGRATIONS)).length).toBe(MIGRATIONS.length);
});

test("migrating an up-to-date database does nothing", async () => {
  db = await createTestDatabase();
  expect(await migrate(db.sql, MIGRATIONS)).toEqual([]);
});
