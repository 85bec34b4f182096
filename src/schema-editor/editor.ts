// The schema editor's front door: reads the live table of a configured database and turns an editor state
// into a draft and a preview. The Slack layer only renders what this returns.
import type { Registry, RegisteredDatabase } from "../projects/registry.ts";
import type { ReviewConfig } from "../review/index.ts";
import { schemaDialectFor, tableReaderFor } from "./dialects.ts";
import { applyEdits } from "./draft.ts";
import { SchemaEditError } from "./errors.ts";
import type { EditorState } from "./editor-state.ts";
import type { SchemaDialect, TableDraft, TableSchema } from "./model.ts";
import { previewSchemaChange, type SchemaPreview } from "./preview.ts";
import { identifierProblem } from "./identifiers.ts";

export interface OpenTable {
  database: RegisteredDatabase;
  dialect: SchemaDialect;
  /** The live table; undefined for a new table. */
  base: TableSchema | undefined;
  draft: TableDraft;
}

export class SchemaEditor {
  constructor(
    private readonly registry: Registry,
    private readonly reviewConfig: ReviewConfig,
  ) {}

  database(label: string): RegisteredDatabase {
    return this.registry.find(label);
  }

  dialectOf(database: RegisteredDatabase): SchemaDialect {
    return schemaDialectFor(database.instance.engine);
  }

  async listTables(label: string): Promise<{ database: RegisteredDatabase; tables: string[] }> {
    const database = this.registry.find(label);
    const tables = await tableReaderFor(database.instance.engine).listEditableTables(this.registry.target(database.instance, database.name));
    return { database, tables };
  }

  /** Reads the live table and replays the pending edits over it. */
  async open(state: EditorState): Promise<OpenTable> {
    const database = this.registry.find(state.database);
    const dialect = schemaDialectFor(database.instance.engine);
    if (state.isNew) {
      const problem = identifierProblem(dialect, state.table, "Table name");
      if (problem) throw new SchemaEditError([{ field: "table", message: problem }]);
    }
    const base = await tableReaderFor(database.instance.engine).describeTable(this.registry.target(database.instance, database.name), state.table);
    if (state.isNew && base) throw new SchemaEditError([{ field: "table", message: `${database.label} already has a table "${state.table}": pick it from the list to change it.` }]);
    if (!state.isNew && !base) throw new SchemaEditError([{ field: "table", message: `${database.label} has no table "${state.table}" (any more): pick another, or create it as a new table.` }]);
    return { database, dialect, base, draft: applyEdits(dialect, base, state.table, state.edits) };
  }

  async preview(opened: OpenTable): Promise<SchemaPreview> {
    const environment = { name: opened.database.environment.name, tier: opened.database.environment.tier };
    return previewSchemaChange(opened.dialect, opened.base, opened.draft, { environment, config: this.reviewConfig });
  }
}
