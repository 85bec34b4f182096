// The engine's half of the editor, by engine name: dialect (types, DDL) and the live-table reader.
import type { ConnectionTarget, EngineName } from "../engines/engine.ts";
import { mysqlSchemaDialect } from "../engines/mysql/ddl.ts";
import * as mysqlTables from "../engines/mysql/table-introspection.ts";
import { postgresSchemaDialect } from "../engines/postgres/ddl.ts";
import * as postgresTables from "../engines/postgres/table-introspection.ts";
import type { SchemaDialect, TableSchema } from "./model.ts";

export interface TableReader {
  listEditableTables(target: ConnectionTarget): Promise<string[]>;
  describeTable(target: ConnectionTarget, table: string): Promise<TableSchema | undefined>;
}

const dialects: Record<EngineName, SchemaDialect> = { mysql: mysqlSchemaDialect, postgres: postgresSchemaDialect };
const readers: Record<EngineName, TableReader> = { mysql: mysqlTables, postgres: postgresTables };

export function schemaDialectFor(engine: EngineName): SchemaDialect {
  return dialects[engine];
}

export function tableReaderFor(engine: EngineName): TableReader {
  return readers[engine];
}
