// "Preview": the DDL the editor will submit and what the SQL review says about it.
import { engineFor } from "../engines/index.ts";
import { reviewStatements, type ReviewConfig, type ReviewEnvironment, type ReviewReport } from "../review/index.ts";
import { generateDdl } from "./ddl.ts";
import type { SchemaDialect, TableDraft, TableSchema } from "./model.ts";

export interface SchemaPreview {
  script: string;
  statements: string[];
  review: ReviewReport;
}

export async function previewSchemaChange(
  dialect: SchemaDialect,
  base: TableSchema | undefined,
  draft: TableDraft,
  review: { environment: ReviewEnvironment; config: ReviewConfig },
): Promise<SchemaPreview> {
  const { script, statements } = generateDdl(dialect, base, draft);
  // Reviewed exactly as a typed change would be: the script split by the engine's own splitter.
  const report = await reviewStatements({ engine: dialect.engine, statements: engineFor(dialect.engine).splitStatements(script), ...review });
  return { script, statements, review: report };
}
