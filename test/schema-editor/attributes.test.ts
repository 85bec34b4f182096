// Every editor operation keeps what it does not change: each column carries one attribute the form does not edit
// (charset, collation, ON UPDATE, auto-increment, generated expression, INVISIBLE, CHECK, storage, compression …),
// and information_schema is compared before and after each operation, on both engines.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import mysql from "mysql2/promise";
import pg from "pg";
import type { EngineName } from "../../src/engines/engine.ts";
import { formatDefault } from "../../src/schema-editor/defaults.ts";
import { applyEdits, columnEditFromForm, type ColumnForm } from "../../src/schema-editor/draft.ts";
import { generateDdl } from "../../src/schema-editor/ddl.ts";
import type { ColumnSpec, TableSchema } from "../../src/schema-editor/model.ts";
import { editorServer, type EditorServer } from "./support.ts";

type Row = Record<string, unknown>;

const TABLE: Record<EngineName, string[]> = {
  mysql: [
    `CREATE TABLE attrs (
      id int NOT NULL AUTO_INCREMENT PRIMARY KEY COMMENT 'key',
      city varchar(50) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NULL COMMENT 'the city',
      code char(3) CHARACTER SET ascii COLLATE ascii_bin NOT NULL DEFAULT 'abc',
      ts timestamp(3) NOT NULL DEFAULT current_timestamp(3) ON UPDATE current_timestamp(3),
      dt datetime NULL ON UPDATE current_timestamp(),
      twice int AS (id * 2) VIRTUAL COMMENT 'derived',
      label varchar(60) AS (concat(city, '!')) STORED,
      hidden int NULL DEFAULT 7 INVISIBLE,
      doc json NULL,
      packed varchar(100) COMPRESSED NULL,
      expr int NULL DEFAULT (1 + 1)
    ) DEFAULT CHARSET=latin1`,
  ],
  postgres: [
    `CREATE TABLE attrs (
      id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      city varchar(50) COLLATE "C" DEFAULT 'x',
      body text COMPRESSION pglz,
      big text,
      twice integer GENERATED ALWAYS AS (id * 2) STORED,
      n numeric(10,2) NOT NULL DEFAULT 1.5
    )`,
    "ALTER TABLE attrs ALTER COLUMN big SET STORAGE EXTERNAL",
    "COMMENT ON COLUMN attrs.city IS 'the city'",
  ],
};

/** Operations per column: a new type the column can take, whether its default and NULL can change here. */
const OPERATIONS: Record<EngineName, Record<string, { type?: string; default?: string; nullable?: boolean }>> = {
  mysql: {
    id: { type: "bigint" },
    city: { type: "varchar(80)", default: "somewhere", nullable: true },
    code: { type: "char(5)", default: "xyz" },
    ts: {},
    dt: { default: "CURRENT_TIMESTAMP", nullable: true },
    twice: { type: "bigint" },
    label: {},
    hidden: { type: "bigint", default: "9", nullable: true },
    doc: { nullable: true },
    packed: {},
    expr: { type: "bigint" },
  },
  postgres: {
    id: {},
    city: { type: "varchar(80)", default: "somewhere", nullable: true },
    body: { type: "varchar(500)", nullable: true },
    big: { type: "varchar(400)", default: "b" },
    twice: {},
    n: { type: "numeric(12,2)", default: "2.5" },
  },
};

/** What each operation may change in a column's information_schema row (by lower-cased column name). */
const TYPE_FIELDS = ["column_type", "data_type", "character_maximum_length", "character_octet_length", "numeric_precision", "numeric_scale", "udt_name", "dtd_identifier"];

function formOf(column: ColumnSpec, changes: Partial<ColumnForm>): ColumnForm {
  return { name: column.name, type: column.type, nullable: column.nullable, default: formatDefault(column.default), comment: column.comment, identity: column.identity, ...changes };
}

function lower(row: Row): Row {
  return Object.fromEntries(Object.entries(row).map(([key, value]) => [key.toLowerCase(), value]));
}

for (const engine of ["mysql", "postgres"] as EngineName[]) {
  describe(`schema editor on ${engine}: every operation keeps every attribute it does not change`, () => {
    let server: EditorServer;
    before(async () => {
      server = await editorServer(engine);
      for (const statement of TABLE[engine]) await server.session.execute(statement);
    });
    after(async () => {
      await server?.close();
    });

    /** The table's columns as information_schema (and, for what it lacks, the engine's own catalog) shows them. */
    async function catalog(): Promise<{ columns: Map<string, Row>; extra: Row[] }> {
      const query = async (sql: string): Promise<Row[]> => {
        const { host, port, user, password, database } = server.target;
        if (engine === "mysql") {
          const conn = await mysql.createConnection({ host, port, user, password, database });
          try {
            return ((await conn.query(sql))[0] as Row[]).map(lower);
          } finally {
            await conn.end();
          }
        }
        const client = new pg.Client({ host, port, user, password, database });
        await client.connect();
        try {
          return (await client.query(sql)).rows.map(lower);
        } finally {
          await client.end();
        }
      };
      if (engine === "mysql") {
        const columns = await query("SELECT * FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'attrs'");
        const checks = await query("SELECT CONSTRAINT_NAME, LEVEL, CHECK_CLAUSE FROM information_schema.CHECK_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = DATABASE() AND TABLE_NAME = 'attrs'");
        return { columns: new Map(columns.map((row) => [String(row.column_name), row])), extra: checks };
      }
      const columns = await query("SELECT * FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = 'attrs'");
      const storage = await query(
        "SELECT attname::text AS column_name, attstorage::text AS storage, attcompression::text AS compression, attcollation::regcollation::text AS collation, attstattarget " +
          "FROM pg_attribute WHERE attrelid = 'attrs'::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum",
      );
      return { columns: new Map(columns.map((row) => [String(row.column_name), row])), extra: storage };
    }

    /** Runs one editor operation on one column and checks that only `changes` changed, in information_schema. */
    async function operation(name: string, changes: Partial<ColumnForm>, changed: string[]): Promise<string> {
      const live = (await server.describe("attrs")) as TableSchema;
      const column = live.columns.find((c) => c.name === name)!;
      const edit = columnEditFromForm(server.dialect, applyEdits(server.dialect, live, "attrs", []), formOf(column, changes), name);
      const { script } = generateDdl(server.dialect, live, applyEdits(server.dialect, live, "attrs", [edit]));
      const beforeCatalog = await catalog();
      await server.run(script);
      const afterCatalog = await catalog();
      const renamedTo = changes.name ?? name;
      // The server renames the column in expressions that name it (MySQL quotes names there, PostgreSQL not).
      const inExpression = engine === "mysql" ? new RegExp(`\`${name}\``, "g") : new RegExp(`\\b${name}\\b`, "g");
      const quoted = engine === "mysql" ? `\`${renamedTo}\`` : renamedTo;
      const rename = (value: unknown) => (typeof value === "string" && renamedTo !== name ? value.replace(inExpression, quoted).replace(new RegExp(`^${name}$`), renamedTo) : value);
      const expected = new Map(
        [...beforeCatalog.columns].map(([columnName, row]) => {
          const kept = Object.fromEntries(Object.entries(row).map(([key, value]) => [key, rename(value)]));
          return [rename(columnName) as string, kept];
        }),
      );
      const without = (row: Row | undefined) => Object.fromEntries(Object.entries(row ?? {}).filter(([key]) => !changed.includes(key)));
      for (const [columnName, row] of expected) {
        assert.deepEqual(without(afterCatalog.columns.get(columnName)), without(row), `${engine}: ${script}\nchanged column ${columnName} beyond ${changed.join(", ") || "nothing"}`);
      }
      const extraOf = (rows: Row[]) => rows.map((row) => without(Object.fromEntries(Object.entries(row).map(([key, value]) => [key, rename(value)])))).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
      assert.deepEqual(extraOf(afterCatalog.extra), extraOf(beforeCatalog.extra), `${engine}: ${script}\nchanged the catalog beyond ${changed.join(", ") || "nothing"}`);
      return script;
    }

    for (const [name, ops] of Object.entries(OPERATIONS[engine])) {
      test(`column ${name}: comment, type, default, NULL, rename, rename with a change`, async () => {
        await operation(name, { comment: `changed comment of ${name}` }, engine === "mysql" ? ["column_comment"] : []);
        if (ops.type) await operation(name, { type: ops.type }, TYPE_FIELDS);
        if (ops.default) await operation(name, { default: ops.default }, ["column_default"]);
        if (ops.nullable) {
          // NOT NULL takes away MariaDB's implicit DEFAULT NULL, and NULL gives it back.
          await operation(name, { nullable: false }, ["is_nullable", "column_default"]);
          await operation(name, { nullable: true }, ["is_nullable", "column_default"]);
        }
        const renamed = await operation(name, { name: `${name}_renamed` }, []);
        // MariaDB 10.11 and PostgreSQL both have RENAME COLUMN, which restates nothing.
        assert.match(renamed, /RENAME COLUMN/);
        await operation(`${name}_renamed`, { name, comment: `back to ${name}` }, engine === "mysql" ? ["column_comment"] : []);
      });
    }
  });
}
