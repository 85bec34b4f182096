// Collects inverse statements as the change's rows stream by and lays them out in reverse order as one script.
import type { InverseStatement, PreparedRollback } from "./types.ts";

const TERMINATOR = ";\n";

/**
 * Keeps text, not row images: each batch (one binlog event or one statement's rows) is joined into one string
 * at once, so memory stays proportional to the script, whatever the decoded rows weighed.
 */
export class RollbackScriptBuilder {
  private readonly guardedBatches: string[] = [];
  private readonly forcedBatches: string[] = [];
  private statements = 0;
  private forcedStatements = 0;
  rowCount = 0;

  /** Adds the inverses of one batch of rows, given in the order the change touched them. */
  addBatch(inverses: InverseStatement[], rows: number): void {
    this.rowCount += rows;
    if (inverses.length === 0) return;
    let guarded = "";
    let forced = "";
    for (let i = inverses.length - 1; i >= 0; i--) {
      guarded += inverses[i]!.guarded + TERMINATOR;
      for (const statement of inverses[i]!.forced) forced += statement + TERMINATOR;
      this.forcedStatements += inverses[i]!.forced.length;
    }
    this.statements += inverses.length;
    this.guardedBatches.push(guarded);
    this.forcedBatches.push(forced);
  }

  build(changeKey: string, details: Record<string, unknown>): PreparedRollback {
    const header = (variant: string): string =>
      `-- Rollback of ${changeKey} (${variant}): ${this.statements} statement(s) undoing ${this.rowCount} row(s), latest first.\n`;
    return {
      available: true,
      script: header("each statement checks its row still holds what the change left") + this.guardedBatches.reverse().join(""),
      forcedScript: header("forced: keyed by the row's key only, overriding later changes") + this.forcedBatches.reverse().join(""),
      statementCount: this.statements,
      rowCount: this.rowCount,
      details: { ...details, forcedStatementCount: this.forcedStatements },
    };
  }
}

export function unavailable(reason: string): PreparedRollback {
  return { available: false, reason };
}
