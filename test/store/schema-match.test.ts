// The migrated tables, columns and enums are exactly those of prisma/schema.prisma (read straight from the file,
// since the schema engine that would diff them cannot run offline).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, test } from "node:test";
import { applyMigrations } from "../../src/store/migrator.ts";
import { dropPostgresDatabase, repoRoot } from "../support/servers.ts";
import { freshDatabase, migrationsDir, poolFor } from "./helpers.ts";

const SCALAR_TYPES: Record<string, string> = {
  Int: "integer",
  String: "text",
  Boolean: "boolean",
  DateTime: "timestamp(3)",
  Json: "jsonb",
};

interface SchemaShape {
  /** table → column descriptions "name type [NOT NULL]", sorted */
  tables: Record<string, string[]>;
  enums: Record<string, string[]>;
}

function shapeOfPrismaSchema(text: string): SchemaShape {
  const blocks = [...text.matchAll(/^(model|enum)\s+(\w+)\s*\{([^}]*)\}/gm)];
  const models = new Set(blocks.filter((b) => b[1] === "model").map((b) => b[2]!));
  const shape: SchemaShape = { tables: {}, enums: {} };
  for (const [, kind, name, body] of blocks) {
    const lines = body!.split("\n").map((line) => line.trim()).filter((line) => line && !line.startsWith("//") && !line.startsWith("@@"));
    if (kind === "enum") {
      shape.enums[name!] = lines;
      continue;
    }
    shape.tables[name!] = lines
      .map((line) => line.match(/^(\w+)\s+(\w+)(\?|\[\])?/)!)
      .filter(([, , type, modifier]) => !models.has(type!) && modifier !== "[]")
      .map(([, field, type, modifier]) => `${field} ${SCALAR_TYPES[type!] ?? type}${modifier === "?" ? "" : " NOT NULL"}`)
      .sort();
  }
  return shape;
}

/** `format_type` quotes mixed-case enum names and spells out the time zone; the expectation does neither. */
function inPrismaTerms(description: string): string {
  return description.replace(" timestamp(3) without time zone", " timestamp(3)").replace(/^(\w+) "(\w+)"/, "$1 $2");
}

let database: string | undefined;
after(async () => {
  if (database) await dropPostgresDatabase(database);
});

test("the migrations create exactly the tables, columns and enums of schema.prisma", async () => {
  const expected = shapeOfPrismaSchema(readFileSync(join(repoRoot, "prisma", "schema.prisma"), "utf8"));
  assert.equal(Object.keys(expected.tables).length, 18);
  assert.ok(expected.tables.Execution?.includes("backupTables jsonb"));
  assert.ok(expected.tables.Change?.includes("status ChangeStatus NOT NULL"));
  const db = await freshDatabase();
  database = db.name;
  const pool = poolFor(db.url);
  try {
    await applyMigrations(pool, migrationsDir);
    const columns = await pool.query<{ table_name: string; description: string }>(`
      SELECT c.relname AS table_name,
             a.attname || ' ' || format_type(a.atttypid, a.atttypmod)
               || CASE WHEN a.attnotnull THEN ' NOT NULL' ELSE '' END AS description
      FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = 'public' AND c.relkind = 'r' AND c.relname <> '_prisma_migrations' AND a.attnum > 0 AND NOT a.attisdropped`);
    const actualTables: Record<string, string[]> = {};
    for (const row of columns.rows) (actualTables[row.table_name] ??= []).push(inPrismaTerms(row.description));
    for (const list of Object.values(actualTables)) list.sort();
    assert.deepEqual(actualTables, expected.tables);

    const enums = await pool.query<{ name: string; labels: string[] }>(`
      SELECT t.typname AS name, array_agg(e.enumlabel::text ORDER BY e.enumsortorder) AS labels
      FROM pg_enum e JOIN pg_type t ON t.oid = e.enumtypid GROUP BY t.typname`);
    assert.deepEqual(Object.fromEntries(enums.rows.map((row) => [row.name, row.labels])), expected.enums);
  } finally {
    await pool.end();
  }
});
