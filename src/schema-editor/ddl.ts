// The DDL the editor submits for a draft: CREATE TABLE for a new table, the engine's ALTERs for a live one.
import { diffTable } from "./diff.ts";
import { draftProblems } from "./draft.ts";
import { SchemaEditError } from "./errors.ts";
import type { SchemaDialect, TableDraft, TableSchema } from "./model.ts";

export interface GeneratedDdl {
  statements: string[];
  /** The statements as one script, each ending with `;`. */
  script: string;
}

/** Throws SchemaEditError when the draft cannot be submitted, including when it changes nothing. */
export function generateDdl(dialect: SchemaDialect, base: TableSchema | undefined, draft: TableDraft): GeneratedDdl {
  const problems = draftProblems(dialect, base, draft);
  if (problems.length > 0) throw new SchemaEditError(problems);
  const statements = base ? dialect.alterTable(base, diffTable(base, draft)) : dialect.createTable(draft);
  if (statements.length === 0) throw new SchemaEditError([{ field: "table", message: "Nothing to submit yet: add or change a column or an index first." }]);
  return { statements, script: statements.map((statement) => `${statement};`).join("\n\n") + "\n" };
}
