// What `/db query` may read on PostgreSQL: its statements read into a query shape, and the catalogs it may not read.
import { loadPostgresParser } from "../../review/postgres-ast.ts";
import type { ReadingStatementShape } from "../engine.ts";
import { BACKUP_SCHEMA } from "./backup-catalog.ts";
import { readPostgresQuery } from "./query-shape.ts";

/** Views and tables that hold column values (planner statistics) or other sessions' SQL with its literals. */
const VALUE_HOLDING_CATALOGS = new Map<string, string>([
  ...["pg_stats", "pg_statistic", "pg_stats_ext", "pg_stats_ext_exprs", "pg_statistic_ext", "pg_statistic_ext_data"].map(
    (name) => [name, "holds samples of column values (planner statistics), masked columns included"] as const,
  ),
  ...["pg_stat_activity", "pg_stat_statements", "pg_stat_statements_info"].map((name) => [name, "shows other sessions' SQL, with the values it holds"] as const),
]);

export async function readQuery(statement: string): Promise<ReadingStatementShape> {
  await loadPostgresParser();
  return readPostgresQuery(statement);
}

export function refusedRelation(name: readonly string[]): string | undefined {
  const relation = name[name.length - 1] ?? "";
  // Rollback's row backups: copies of changed rows under other tables' names, where a table-scoped masking rule would
  // not follow them. They are Sluice's, not the team's data.
  if (name.length >= 2 && name[name.length - 2] === BACKUP_SCHEMA) {
    return `\`${name.join(".")}\` is one of Sluice's rollback backups (schema ${BACKUP_SCHEMA}): copies of changed rows; /db query does not read them.`;
  }
  const why = VALUE_HOLDING_CATALOGS.get(relation);
  return why ? `\`${name.join(".")}\` ${why}; /db query does not read it.` : undefined;
}
