// The editor's DDL on both real servers: every operation runs, and the live table then is what the form described.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import type { EngineName } from "../../src/engines/engine.ts";
import { applyEdits, columnEditFromForm, draftProblems, indexEditFromForm, type ColumnForm } from "../../src/schema-editor/draft.ts";
import { generateDdl } from "../../src/schema-editor/ddl.ts";
import { schemaDialectFor } from "../../src/schema-editor/dialects.ts";
import { SchemaEditError } from "../../src/schema-editor/errors.ts";
import type { DefaultSpec, SchemaEdit, TableDraft, TableSchema } from "../../src/schema-editor/model.ts";
import { comparableType, editorServer, type EditorServer } from "./support.ts";

function column(overrides: Partial<ColumnForm> & { name: string; type: string }): ColumnForm {
  return { nullable: true, default: "", comment: "", identity: false, ...overrides };
}

/** Numbers compare by value (1.50 reads back as 1.50 or 1.5); MySQL keeps a boolean as tinyint(1), so TRUE reads back as 1. */
function comparableDefault(engine: EngineName, value: DefaultSpec): unknown {
  if (value.kind === "number") return { kind: "number", value: Number(value.text) };
  if (value.kind === "boolean" && engine === "mysql") return { kind: "number", value: value.value ? 1 : 0 };
  return value;
}

/** The live table, read back from the server's catalog, matches the draft column for column and index for index. */
function assertLiveMatches(server: EditorServer, live: TableSchema | undefined, draft: TableDraft): void {
  assert.ok(live, `table ${draft.name} exists`);
  assert.equal(live.name, draft.name);
  const shape = (table: { columns: TableDraft["columns"] | TableSchema["columns"] }) =>
    table.columns.map((c) => ({
      name: c.name,
      type: comparableType(server.dialect, c.type),
      nullable: c.nullable,
      default: comparableDefault(server.engine, c.default),
      comment: c.comment,
      identity: c.identity,
    }));
  assert.deepEqual(shape(live), shape(draft));
  assert.deepEqual(live.primaryKey, draft.primaryKey);
  const indexes = (list: TableSchema["indexes"]) => list.map((i) => ({ name: i.name, columns: i.columns, unique: i.unique })).sort((a, b) => (a.name < b.name ? -1 : 1));
  assert.deepEqual(indexes(live.indexes), indexes(draft.indexes));
}

/** Builds edits one form at a time, each checked against the draft so far, as the modal does. */
function editsFor(server: EditorServer, base: TableSchema | undefined, name: string, steps: Array<(draft: TableDraft) => SchemaEdit>): { edits: SchemaEdit[]; draft: TableDraft } {
  const edits: SchemaEdit[] = [];
  for (const step of steps) edits.push(step(applyEdits(server.dialect, base, name, edits)));
  return { edits, draft: applyEdits(server.dialect, base, name, edits) };
}

function problemsOf(work: () => unknown): Array<{ field: string; message: string }> {
  try {
    work();
  } catch (error) {
    if (error instanceof SchemaEditError) return error.problems;
    throw error;
  }
  assert.fail("expected the form to be refused");
}

const HOSTILE = `'); DROP TABLE sentinel; -- \\' "; DROP TABLE sentinel; -- \`x\``;

test("MySQL 8's SRID and NDB's COLUMN_FORMAT and STORAGE are restated with the column (no MySQL 8 server here to read them from)", () => {
  const dialect = schemaDialectFor("mysql");
  const base: TableSchema = {
    name: "places",
    columns: [
      { name: "spot", type: "point", nullable: false, default: { kind: "none" }, comment: "", identity: false, attributes: { srid: 4326 } },
      { name: "code", type: "char(3)", nullable: true, default: { kind: "none" }, comment: "", identity: false, attributes: { charset: "ascii", collation: "ascii_bin", columnFormat: "FIXED", storage: "MEMORY" } },
    ],
    indexes: [],
    primaryKey: [],
    renameColumn: false,
  };
  const draft = applyEdits(dialect, base, "places", [
    columnEditFromForm(dialect, applyEdits(dialect, base, "places", []), column({ name: "spot", type: "point", nullable: false, comment: "where" }), "spot"),
    columnEditFromForm(dialect, applyEdits(dialect, base, "places", []), column({ name: "country", type: "char(3)" }), "code"),
  ]);
  assert.equal(
    generateDdl(dialect, base, draft).script,
    "ALTER TABLE `places`\n  MODIFY COLUMN `spot` point /*!80003 SRID 4326 */ NOT NULL COMMENT 'where',\n" +
      "  CHANGE COLUMN `code` `country` char(3) CHARACTER SET ascii COLLATE ascii_bin NULL /*!50606 COLUMN_FORMAT FIXED */ /*!50606 STORAGE MEMORY */;\n",
  );
});

for (const engine of ["mysql", "postgres"] as EngineName[]) {
  describe(`schema editor DDL on ${engine}`, () => {
    let server: EditorServer;
    before(async () => {
      server = await editorServer(engine);
      await server.run("CREATE TABLE sentinel (id int PRIMARY KEY)");
    });
    after(async () => {
      await server.close();
    });

    async function createWithEditor(name: string, steps: Array<(draft: TableDraft) => SchemaEdit>): Promise<TableSchema> {
      const { draft } = editsFor(server, undefined, name, steps);
      await server.run(generateDdl(server.dialect, undefined, draft).script);
      const live = await server.describe(name);
      assertLiveMatches(server, live, draft);
      return live!;
    }

    async function alterWithEditor(base: TableSchema, steps: Array<(draft: TableDraft) => SchemaEdit>): Promise<TableSchema> {
      const { draft } = editsFor(server, base, base.name, steps);
      await server.run(generateDdl(server.dialect, base, draft).script);
      const live = await server.describe(base.name);
      assertLiveMatches(server, live, draft);
      return live!;
    }

    test("seed step 5: a new table t1 with id and name", async () => {
      const { draft } = editsFor(server, undefined, "t1", [
        (d) => columnEditFromForm(server.dialect, d, column({ name: "id", type: "bigint", nullable: false, identity: true })),
        (d) => columnEditFromForm(server.dialect, d, column({ name: "name", type: "varchar(100)" })),
        () => ({ op: "primary-key", columns: ["id"] }),
      ]);
      const { script } = generateDdl(server.dialect, undefined, draft);
      const expected =
        engine === "mysql"
          ? "CREATE TABLE `t1` (\n  `id` bigint NOT NULL AUTO_INCREMENT,\n  `name` varchar(100) NULL,\n  PRIMARY KEY (`id`)\n) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;\n"
          : 'CREATE TABLE "t1" (\n  "id" bigint NOT NULL GENERATED BY DEFAULT AS IDENTITY,\n  "name" varchar(100),\n  PRIMARY KEY ("id")\n);\n';
      assert.equal(script, expected);
      await server.run(script);
      assertLiveMatches(server, await server.describe("t1"), draft);
    });

    test("every operation on an existing table: add, change, rename and drop columns, add and drop indexes", async () => {
      const base = await createWithEditor("orders", [
        (d) => columnEditFromForm(server.dialect, d, column({ name: "id", type: "int", nullable: false })),
        (d) => columnEditFromForm(server.dialect, d, column({ name: "customer", type: "varchar(50)", nullable: false, default: "anonymous" })),
        (d) => columnEditFromForm(server.dialect, d, column({ name: "qty", type: "int", default: "0" })),
        (d) => columnEditFromForm(server.dialect, d, column({ name: "note", type: "text", comment: "free text" })),
        (d) => columnEditFromForm(server.dialect, d, column({ name: "legacy", type: "char(3)", default: "abc" })),
        (d) => columnEditFromForm(server.dialect, d, column({ name: "price", type: "decimal(10,2)", default: "1.50" })),
        () => ({ op: "primary-key", columns: ["id"] }),
        (d) => indexEditFromForm(server.dialect, d, { name: "idx_customer", columns: ["customer"], unique: false }),
        (d) => indexEditFromForm(server.dialect, d, { name: "idx_legacy", columns: ["legacy", "qty"], unique: false }),
      ]);
      const live = await alterWithEditor(base, [
        (d) => columnEditFromForm(server.dialect, d, column({ name: "created_at", type: "timestamp", nullable: false, default: "CURRENT_TIMESTAMP" })),
        (d) => columnEditFromForm(server.dialect, d, column({ name: "flag", type: "boolean", nullable: false, default: "true" })),
        (d) => columnEditFromForm(server.dialect, d, column({ name: "qty", type: "bigint", nullable: false, default: "5", comment: "how many" }), "qty"),
        (d) => columnEditFromForm(server.dialect, d, column({ name: "remark", type: d.columns.find((c) => c.name === "note")!.type, comment: "renamed" }), "note"),
        (d) => columnEditFromForm(server.dialect, d, column({ name: "buyer", type: d.columns.find((c) => c.name === "customer")!.type, nullable: false, default: "anonymous" }), "customer"),
        () => ({ op: "drop-column", name: "legacy" }),
        () => ({ op: "drop-index", name: "idx_customer" }),
        (d) => indexEditFromForm(server.dialect, d, { name: "uk_buyer", columns: ["buyer"], unique: true }),
        (d) => indexEditFromForm(server.dialect, d, { name: "idx_qty_created", columns: ["qty", "created_at"], unique: false }),
      ]);
      assert.deepEqual(
        live.columns.map((c) => c.name),
        ["id", "buyer", "qty", "remark", "price", "created_at", "flag"],
      );
      // A form left as it was changes nothing and says so.
      assert.deepEqual(problemsOf(() => generateDdl(server.dialect, live, applyEdits(server.dialect, live, live.name, []))).map((p) => p.field), ["table"]);
    });

    test("a new column goes where the form puts it: FIRST or AFTER a column (MySQL), last otherwise", async () => {
      const base = await createWithEditor("placed", [
        (d) => columnEditFromForm(server.dialect, d, column({ name: "id", type: "int", nullable: false })),
        (d) => columnEditFromForm(server.dialect, d, column({ name: "city", type: "varchar(50)" })),
        (d) => columnEditFromForm(server.dialect, d, column({ name: "zip", type: "varchar(10)" })),
        () => ({ op: "primary-key", columns: ["id"] }),
      ]);
      const live = await alterWithEditor(base, [
        (d) => columnEditFromForm(server.dialect, d, column({ name: "town", type: "varchar(50)" }), "city"),
        (d) => columnEditFromForm(server.dialect, d, column({ name: "tenant", type: "int", position: "first" })),
        (d) => columnEditFromForm(server.dialect, d, column({ name: "street", type: "varchar(80)", position: "after:town" })),
        (d) => columnEditFromForm(server.dialect, d, column({ name: "number", type: "int", position: "after:street" })),
        (d) => columnEditFromForm(server.dialect, d, column({ name: "note", type: "text" })),
      ]);
      assert.deepEqual(
        live.columns.map((c) => c.name),
        engine === "mysql" ? ["tenant", "id", "town", "street", "number", "zip", "note"] : ["id", "town", "zip", "tenant", "street", "number", "note"],
      );
      if (engine === "mysql") {
        const draft = applyEdits(server.dialect, live, live.name, []);
        assert.deepEqual(problemsOf(() => columnEditFromForm(server.dialect, draft, column({ name: "x", type: "int", position: "after:nowhere" }))).map((p) => p.field), ["position"]);
      }
    });

    test("the primary key is replaced, and dropping it without a replacement is refused", async () => {
      const base = await createWithEditor("accounts", [
        (d) => columnEditFromForm(server.dialect, d, column({ name: "id", type: "int", nullable: false })),
        (d) => columnEditFromForm(server.dialect, d, column({ name: "code", type: "varchar(20)", nullable: false })),
        () => ({ op: "primary-key", columns: ["id"] }),
      ]);
      const dropped = applyEdits(server.dialect, base, base.name, [{ op: "drop-column", name: "id" }]);
      assert.deepEqual(draftProblems(server.dialect, base, dropped).map((p) => p.field), ["primary_key"]);
      assert.deepEqual(problemsOf(() => generateDdl(server.dialect, base, applyEdits(server.dialect, base, base.name, [{ op: "primary-key", columns: [] }]))).map((p) => p.field), ["primary_key"]);
      await alterWithEditor(base, [() => ({ op: "drop-column", name: "id" }), () => ({ op: "primary-key", columns: ["code"] })]);
    });

    test("hostile names, defaults and comments are quoted, run as written, and inject nothing", async () => {
      const names = engine === "mysql"
        ? [`col "quoted"`, "back`tick", "with space", "ünïcødé 名前", `'); DROP TABLE sentinel; --`]
        : [`col "quoted"`, "back`tick", "with space", "ünïcødé 名前 🚀", `'); DROP TABLE sentinel; --`, "MixedCase"];
      const table = `we"ird \`tab'le; DROP TABLE sentinel; --`;
      const base = await createWithEditor(table, [
        (d) => columnEditFromForm(server.dialect, d, column({ name: "id", type: "int", nullable: false })),
        ...names.map((name) => (d: TableDraft) => columnEditFromForm(server.dialect, d, column({ name, type: "varchar(200)", default: HOSTILE, comment: `${HOSTILE}\nsecond line \\n \\` }))),
        (d) => columnEditFromForm(server.dialect, d, column({ name: "quoted null", type: "text", default: "'NULL'" })),
        () => ({ op: "primary-key", columns: ["id"] }),
        (d) => indexEditFromForm(server.dialect, d, { name: `idx "x" \`y\` 'z'`, columns: [names[0]!, names[3]!], unique: true }),
      ]);
      assert.deepEqual(base.columns.find((c) => c.name === names[0])!.default, { kind: "string", value: HOSTILE });
      assert.deepEqual(base.columns.find((c) => c.name === "quoted null")!.default, { kind: "string", value: "NULL" });
      await alterWithEditor(base, [
        (d) => columnEditFromForm(server.dialect, d, column({ name: `${names[4]} renamed "again"`, type: "varchar(300)", default: `x'); DROP TABLE sentinel; --`, comment: HOSTILE }), names[4]!),
        () => ({ op: "drop-column", name: names[2]! }),
        () => ({ op: "drop-index", name: `idx "x" \`y\` 'z'` }),
      ]);
      assert.deepEqual(await server.describe("sentinel").then((t) => t?.name), "sentinel");
    });

    test("names the engine would mangle are refused on the name field", () => {
      const draft = applyEdits(server.dialect, undefined, "t", []);
      const refused = ["", "   ", "tab\there", "line\nbreak", "nul\0", "trailing ", " leading", "x".repeat(65), ...(engine === "mysql" ? ["emoji 🚀"] : ["é".repeat(32)])];
      for (const name of refused) {
        assert.deepEqual(problemsOf(() => columnEditFromForm(server.dialect, draft, column({ name, type: "int" }))).map((p) => p.field), ["name"], JSON.stringify(name));
      }
      assert.deepEqual(draftProblems(server.dialect, undefined, { ...draft, name: "bad\nname", columns: [] }).map((p) => p.field), ["table", "columns"]);
    });

    test("duplicate columns, types the engine lacks, bad lengths and bad defaults are refused on their fields", () => {
      const draft = applyEdits(server.dialect, undefined, "t", [{ op: "column", column: { name: "name", type: "text", nullable: true, default: { kind: "none" }, comment: "", identity: false } }]);
      const fields = (form: ColumnForm) => problemsOf(() => columnEditFromForm(server.dialect, draft, form)).map((p) => p.field);
      assert.deepEqual(fields(column({ name: "name", type: "int" })), ["name"]);
      if (engine === "mysql") assert.deepEqual(fields(column({ name: "NAME", type: "int" })), ["name"]);
      else assert.doesNotThrow(() => columnEditFromForm(server.dialect, draft, column({ name: "NAME", type: "int" })));
      const lacking = engine === "mysql" ? ["jsonb", "uuid", "timestamptz"] : ["mediumtext", "tinyint", "int unsigned"];
      for (const type of [...lacking, "varchar(0)", "decimal(5,6)", "int; DROP TABLE sentinel", "varchar(10) DEFAULT 'x'", "text(10)", "enum('a')"]) {
        assert.deepEqual(fields(column({ name: "x", type })), ["type"], type);
      }
      assert.deepEqual(fields(column({ name: "x", type: "int", default: "1; DROP TABLE sentinel" })), ["default"]);
      assert.deepEqual(fields(column({ name: "x", type: "boolean", default: "maybe" })), ["default"]);
      assert.deepEqual(fields(column({ name: "x", type: "text", default: "CURRENT_TIMESTAMP" })), ["default"]);
      assert.deepEqual(fields(column({ name: "x", type: "int", nullable: false, default: "NULL" })), ["default"]);
      assert.deepEqual(fields(column({ name: "x", type: "text", nullable: false, identity: true })), ["identity"]);
    });

    test("edits that come back altered are refused: an unknown type or a made-up expression default", () => {
      const base: TableSchema = { name: "t", columns: [], indexes: [], primaryKey: [] };
      const forged = (type: string, value: DefaultSpec): SchemaEdit => ({ op: "column", column: { name: "x", type, nullable: true, default: value, comment: "", identity: false } });
      assert.throws(() => applyEdits(server.dialect, base, "t", [forged("int); DROP TABLE sentinel; --", { kind: "none" })]), SchemaEditError);
      assert.throws(() => applyEdits(server.dialect, base, "t", [forged("int", { kind: "expression", sql: "0); DROP TABLE sentinel; --" })]), SchemaEditError);
      assert.throws(() => generateDdl(server.dialect, base, { name: "t", columns: [{ ...forged("int", { kind: "number", text: "1; DROP" }), name: "x", type: "int", nullable: true, default: { kind: "number", text: "1; DROP" }, comment: "", identity: false }], indexes: [], primaryKey: [] }));
    });
  });
}
