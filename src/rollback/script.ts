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
    // join() flattens each batch at once: concatenating with += would keep every piece alive in a rope until the end.
    const guarded = new Array<string>(inverses.length);
    const forced: string[] = [];
    for (let i = inverses.length - 1, at = 0; i >= 0; i--, at++) {
      guarded[at] = inverses[i]!.guarded;
      for (const statement of inverses[i]!.forced) forced.push(statement);
    }
    this.forcedStatements += forced.length;
    this.statements += inverses.length;
    this.guardedBatches.push(guarded.join(TERMINATOR) + TERMINATOR);
    this.forcedBatches.push(forced.join(TERMINATOR) + TERMINATOR);
  }

  build(changeKey: string, details: Record<string, unknown>): PreparedRollback {
    const header = (variant: string): string =>
      `-- Rollback of ${changeKey} (${variant}): ${this.statements} statement(s) undoing ${this.rowCount} row(s), latest first.\n`;
    // Each script's batches are let go as soon as it is joined, so at most one script is held twice at a time.
    const script = header("each statement checks its row still holds what the change left") + this.guardedBatches.reverse().join("");
    this.guardedBatches.length = 0;
    const forcedScript = header("forced: keyed by the row's key only, overriding later changes") + this.forcedBatches.reverse().join("");
    this.forcedBatches.length = 0;
    return {
      available: true,
      script,
      forcedScript,
      statementCount: this.statements,
      rowCount: this.rowCount,
      details: { ...details, forcedStatementCount: this.forcedStatements },
    };
  }
}

export function unavailable(reason: string): PreparedRollback {
  return { available: false, reason };
}
