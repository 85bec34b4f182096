// The rollback's shared vocabulary: what the change workflow asks for and what it stores with an execution.
import type { BatchOutcome, StatementOutcome } from "../engines/engine.ts";

export interface RollbackReadiness {
  available: boolean;
  /** Why a rollback cannot be prepared on this instance, one line each. */
  problems: string[];
  /** What an administrator does to fix each problem (parameter groups, grants, server settings). */
  howToEnable: string[];
}

export interface RecordingOptions {
  /** The change's key (e.g. TAR-12): names backup tables and labels the script. */
  changeKey: string;
  /** Most rows a rollback is prepared for; beyond it the change still runs, without rollback. */
  rowLimit: number;
}

export const DEFAULT_ROLLBACK_ROW_LIMIT = 100_000;

export interface DataChangeRecorder {
  /** Runs one statement of the data change inside the open transaction, keeping what its rollback needs. */
  execute(sql: string, ordinal: number): Promise<StatementOutcome>;
  /** Runs several statements in order as execute would, stopping at the first failure; faster where the engine can batch. */
  executeBatch(statements: ReadonlyArray<{ sql: string; ordinal: number }>): Promise<BatchOutcome>;
  /** After COMMIT: builds the rollback (for MySQL, reads this transaction's binlog events). */
  finish(): Promise<PreparedRollback>;
}

export type PreparedRollback =
  | {
      available: true;
      /**
       * The rollback as a script in pieces cut between statements (the header line first): each statement undoes
       * one row and holds a guard on the values the change left, so it affects exactly one row, or none when that
       * row was changed since (see GuardCheck).
       */
      chunks: string[];
      /** The pieces joined (read only where a script is known to be small, and in tests). */
      readonly script: string;
      /**
       * The same statements keyed by the row's key only: what runs after an approver overrides changed rows. Absent
       * when the engine derives it from the guarded script on demand (MySQL: see forcedChunk).
       */
      forcedChunks?: string[];
      readonly forcedScript?: string;
      statementCount: number;
      rowCount: number;
      /** Binlog coordinates, thread id and GTID (MySQL) or backup tables (PostgreSQL). */
      details: Record<string, unknown>;
    }
  | { available: false; reason: string };

/** One undone row: the guarded statement and its forced variant (one statement, or two when a key must be freed first). */
export interface InverseStatement {
  guarded: string;
  forced: string[];
}
