// Both engines' real test servers as the schema editor's tests use them: a fresh database, a runner, the reader.
import type { ConnectionTarget, EngineName, EngineSession } from "../../src/engines/engine.ts";
import { engineFor } from "../../src/engines/index.ts";
import { checkColumnType } from "../../src/schema-editor/column-types.ts";
import { schemaDialectFor, tableReaderFor } from "../../src/schema-editor/dialects.ts";
import type { SchemaDialect, TableSchema } from "../../src/schema-editor/model.ts";
import { createMysqlDatabase, createPostgresDatabase, dropMysqlDatabase, dropPostgresDatabase, mysqlServer, postgresServer } from "../support/servers.ts";

export interface EditorServer {
  engine: EngineName;
  dialect: SchemaDialect;
  target: ConnectionTarget;
  session: EngineSession;
  /** Runs a script the way a submitted change is split into statements. */
  run(script: string): Promise<void>;
  describe(table: string): Promise<TableSchema | undefined>;
  tables(): Promise<string[]>;
  close(): Promise<void>;
}

export async function editorServer(engine: EngineName): Promise<EditorServer> {
  const database = engine === "mysql" ? await createMysqlDatabase("sluice_editor") : await createPostgresDatabase("sluice_editor");
  const target: ConnectionTarget = { ...(engine === "mysql" ? mysqlServer() : postgresServer()), database, connectTimeoutMs: 3_000 };
  const session = await engineFor(engine).connect(target, { statementTimeoutMs: 10_000, lockTimeoutMs: 5_000 });
  const reader = tableReaderFor(engine);
  return {
    engine,
    dialect: schemaDialectFor(engine),
    target,
    session,
    async run(script) {
      for (const statement of engineFor(engine).splitStatements(script)) await session.execute(statement.text);
    },
    describe: (table) => reader.describeTable(target, table),
    tables: () => reader.listEditableTables(target),
    async close() {
      await session.close();
      await (engine === "mysql" ? dropMysqlDatabase(database) : dropPostgresDatabase(database));
    },
  };
}

/** A type as the form wrote it and as the server reports it, spelled the same way (display widths dropped). */
export function comparableType(dialect: SchemaDialect, type: string): string {
  const checked = checkColumnType(dialect, type);
  let text = checked.ok ? checked.type : type;
  if (dialect.engine === "mysql") {
    if (text === "boolean") text = "tinyint(1)";
    else text = text.replace(/^(int|bigint|smallint|mediumint)\(\d+\)/, "$1").replace(/^decimal$/, "decimal(10,0)");
  }
  return text;
}
