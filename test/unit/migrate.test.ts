import { describe, expect, test } from "bun:test";
import { readdir } from "node:fs/promises";
import { MigrationError, orderMigrations, pendingMigrations } from "../../src/db/migrate.ts";
import { MIGRATIONS } from "../../src/db/migrations.ts";

const file = (name: string) => ({ file: name, sql: `-- ${name}` });

describe("orderMigrations", () => {
  test("sorts by number whatever the listing order", () => {
    const ordered = orderMigrations([file("0002_b.sql"), file("0001_a.sql"), file("0003_c.sql")]);
    expect(ordered.map((m) => `${m.version}:${m.name}`)).toEqual(["1:a", "2:b", "3:c"]);
  });

  test("refuses a gap in the numbering", () => {
    expect(() => orderMigrations([file("0001_a.sql"), file("0003_c.sql")])).toThrow("migration 0003_c leaves a gap (expected 0002)");
  });

  test("refuses a sequence that does not start at 1", () => {
    expect(() => orderMigrations([file("0002_b.sql")])).toThrow(MigrationError);
  });

  test("refuses two migrations with one number", () => {
    expect(() => orderMigrations([file("0001_a.sql"), file("0001_b.sql")])).toThrow("is a duplicate");
  });

  test("refuses badly named files", () => {
    expect(() => orderMigrations([file("1_init.sql")])).toThrow('migration "1_init.sql" is not named NNNN_name.sql');
  });
});

describe("pendingMigrations", () => {
  const all = orderMigrations([file("0001_a.sql"), file("0002_b.sql"), file("0003_c.sql")]);

  test("returns what is not applied yet, in order", () => {
    expect(pendingMigrations(all, [1]).map((m) => m.version)).toEqual([2, 3]);
    expect(pendingMigrations(all, [1, 2, 3])).toEqual([]);
    expect(pendingMigrations(all, []).map((m) => m.version)).toEqual([1, 2, 3]);
  });

  test("refuses a database migrated by a newer Tubelet", () => {
    expect(() => pendingMigrations(all, [1, 2, 3, 4])).toThrow("the database has migration 4 that this version of Tubelet does not know");
  });
});

test("every file in migrations/ is embedded, in order", async () => {
  const files = (await readdir(new URL("../../migrations/", import.meta.url))).filter((f) => f.endsWith(".sql")).sort();
  expect(MIGRATIONS.map((m) => m.file)).toEqual(files);
  expect(() => orderMigrations(MIGRATIONS)).not.toThrow();
});
