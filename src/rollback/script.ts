// Collects inverse statements as the change's rows stream by and lays them out in reverse order as one script.
import type { InverseStatement, PreparedRollback } from "./types.ts";

export const TERMINATOR = ";\n";
/** Characters from which merged batches are allocated apart from short-lived objects (V8's large objects, 128 KiB). */
const MERGED_BATCH_LENGTH = 256 * 1024;
const GUARDED = "each statement checks its row still holds what the change left";
const FORCED = "forced: keyed by the row's key only, overriding later changes";

/**
 * Keeps text, not row images: each batch (one binlog event or one statement's rows) is joined into one string
 * at once, so memory stays proportional to the script, whatever the decoded rows weighed. The forced script is
 * built alongside only for engines whose inverses carry a forced form; the others derive it when it is needed.
 */
export class RollbackScriptBuilder {
  private readonly guardedBatches: string[] = [];
  private readonly forcedBatches: string[] = [];
  /** Batches added since the last merge, in the order added. */
  private readonly recentBatches: string[] = [];
  private recentLength = 0;
  private statements = 0;
  private forcedStatements = 0;
  rowCount = 0;

  /** Adds the inverses of one batch of rows, given in the order the change touched them. */
  addBatch(inverses: InverseStatement[], rows: number): void {
    this.rowCount += rows;
    if (inverses.length === 0) return;
    this.mergeRecentBatches();
    // join() flattens each batch at once: concatenating with += would keep every piece alive in a rope until the end.
    const guarded = new Array<string>(inverses.length);
    const forced: string[] = [];
    for (let i = inverses.length - 1, at = 0; i >= 0; i--, at++) {
      guarded[at] = inverses[i]!.guarded;
      for (const statement of inverses[i]!.forced) forced.push(statement);
    }
    this.statements += inverses.length;
    this.guardedBatches.push(guarded.join(TERMINATOR) + TERMINATOR);
    if (forced.length === 0) return;
    this.forcedStatements += forced.length;
    this.forcedBatches.push(forced.join(TERMINATOR) + TERMINATOR);
  }

  /**
   * Adds a batch the engine laid out itself, latest first, each statement ending in TERMINATOR: guarded statements
   * only, whose forced forms the engine derives on demand.
   */
  addGuardedBatch(text: string, statements: number, rows: number): void {
    this.rowCount += rows;
    if (statements === 0) return;
    this.statements += statements;
    this.recentBatches.push(text);
    this.recentLength += text.length;
    if (this.recentLength >= MERGED_BATCH_LENGTH) this.mergeRecentBatches();
  }

  /**
   * Small batches are merged into one large one: a string that large is allocated where the garbage collector does
   * not move it, while the small ones die young; kept as they were, each would be copied twice as it ages.
   */
  private mergeRecentBatches(): void {
    if (this.recentBatches.length === 0) return;
    this.guardedBatches.push(this.recentBatches.reverse().join(""));
    this.recentBatches.length = 0;
    this.recentLength = 0;
  }

  build(changeKey: string, details: Record<string, unknown>): PreparedRollback {
    const header = (variant: string): string =>
      `-- Rollback of ${changeKey} (${variant}): ${this.statements} statement(s) undoing ${this.rowCount} row(s), latest first.\n`;
    this.mergeRecentBatches();
    const chunks = latestFirst(header(GUARDED), this.guardedBatches);
    const prepared = { available: true as const, chunks, statementCount: this.statements, rowCount: this.rowCount, details };
    if (this.forcedStatements === 0) return withScripts(prepared);
    const forcedChunks = latestFirst(header(FORCED), this.forcedBatches);
    return withScripts({ ...prepared, forcedChunks, details: { ...details, forcedStatementCount: this.forcedStatements } });
  }
}

/** Pieces of a script are cut between statements, at about this many characters (what the store writes at once). */
const CHUNK_LENGTH = 256 * 1024;

/**
 * The header, then the batches from the last one written, small ones regrouped into pieces of about CHUNK_LENGTH
 * (large ones, as merged batches are, are pieces as they are: no copy). Each batch is let go once taken.
 */
function latestFirst(header: string, batches: string[]): string[] {
  const chunks = [header];
  let group: string[] = [];
  let length = 0;
  const flush = () => {
    if (group.length > 0) chunks.push(group.join(""));
    group = [];
    length = 0;
  };
  for (let i = batches.length - 1; i >= 0; i--) {
    const batch = batches[i]!;
    batches[i] = "";
    if (batch.length >= CHUNK_LENGTH) {
      flush();
      chunks.push(batch);
      continue;
    }
    group.push(batch);
    length += batch.length;
    if (length >= CHUNK_LENGTH) flush();
  }
  flush();
  batches.length = 0;
  return chunks;
}

/** A prepared rollback whose scripts read as whole strings too (joined when read: tests and small scripts). */
function withScripts(prepared: Omit<Extract<PreparedRollback, { available: true }>, "script" | "forcedScript">): PreparedRollback {
  return {
    ...prepared,
    get script() {
      return prepared.chunks.join("");
    },
    get forcedScript() {
      return prepared.forcedChunks?.join("");
    },
  };
}

/** The forced header of a guarded script's header line. */
export function forcedHeader(header: string): string {
  return header.replace(`(${GUARDED})`, `(${FORCED})`);
}

/** Whether a piece of a script is its header (the first piece, a comment line). */
export function isHeader(chunk: string): boolean {
  return chunk.startsWith("-- Rollback of ");
}

export function unavailable(reason: string): PreparedRollback {
  return { available: false, reason };
}
