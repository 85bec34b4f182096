// What both engines' prior backups share: how a backup table is named and labelled, when it has expired, and how a
// recording ends.
import { unavailable, type RollbackScriptBuilder } from "./script.ts";
import type { PreparedRollback } from "./types.ts";

/** The label a backup table carries (a comment): what it backs up, for which change, and when it was created. */
export function backupComment(target: string, changeKey: string, created: Date): string {
  return `sluice backup of ${target} for ${changeKey}; created ${created.toISOString()}`;
}

const CREATED = /created (\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z)/;

/** Whether a backup table's label says it was created before `cutoff`; a table without Sluice's label never is. */
export function createdBefore(comment: string, cutoff: number): boolean {
  const created = CREATED.exec(comment)?.[1];
  return created !== undefined && Date.parse(created) < cutoff;
}

/** The moment before which backups are past a retention of `days`. */
export function retentionCutoff(days: number, now = new Date()): number {
  return now.getTime() - days * 86_400_000;
}

/**
 * Change key, creation order and target table name, then the creation time: unique per table of a change run and
 * readable, within the engine's longest name (the table name is what gets shortened).
 */
export function backupName(changeKey: string, index: number, tableName: string, created: Date, maxLength: number): string {
  const head = `${changeKey.toLowerCase()}_${index}_`;
  const tail = `_${created.toISOString().replace(/[-:.]/g, "").toLowerCase()}`;
  const target = tableName.toLowerCase().replace(/[^a-z0-9_]+/g, "_").slice(0, Math.max(0, maxLength - head.length - tail.length));
  return `${head}${target}${tail}`.slice(0, maxLength);
}

/** The rollback a prior backup prepared, or why there is none (naming the backup tables kept, which hold rows). */
export function priorBackupRollback(builder: RollbackScriptBuilder, changeKey: string, refusal: string | undefined, backupTables: string[]): PreparedRollback {
  if (!refusal) return builder.build(changeKey, { backupTables });
  const kept = backupTables.length > 0 ? ` (backup tables kept: ${backupTables.join(", ")})` : "";
  return unavailable(`rollback is unavailable: ${refusal}${kept}.`);
}

/** Why a change past the row limit has no rollback. */
export function overRowLimit(rowLimit: number, rows: number): string {
  return `the change touches more than ${rowLimit} rows (${rows}), the rollback row limit; take a backup before changes this large`;
}
