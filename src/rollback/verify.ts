// The safety check before a rollback runs: each guarded statement must still find its row as the change left it.
import { EngineError, type EngineName, type StatementOutcome } from "../engines/index.ts";

/** Duplicate key: MySQL's plain INSERT of a deleted row meets a row that has taken its key since. */
const DUPLICATE_KEY = new Set(["ER_DUP_ENTRY", "23505"]);
const SHOWN_CHARACTERS = 240;

/**
 * The check of a rollback's guarded statements as they run in its transaction: each must find its row as the change
 * left it. It lists every row changed since, so the approver sees them all; the transaction is then rolled back.
 */
export class GuardCheck {
  readonly changedRows: string[] = [];

  constructor(private readonly engine: EngineName) {}

  /** Notes the statements that ran (`texts[i]` answered `outcomes[i]`); `first` is the index of texts[0] in the script. */
  ran(outcomes: readonly StatementOutcome[], texts: readonly string[], first: number): void {
    outcomes.forEach((outcome, i) => {
      if (!guardHeld(outcome)) this.changedRows.push(describe(first + i, texts[i]!, "the row was changed or removed since"));
    });
  }

  /**
   * A statement the server refused is noted too (a row that took its key since makes MySQL's INSERT fail). True when
   * the statements after it can still be checked in the same transaction; PostgreSQL aborts it on an error.
   */
  failed(error: EngineError, text: string, index: number): boolean {
    const duplicate = DUPLICATE_KEY.has(error.code ?? "");
    this.changedRows.push(describe(index, text, duplicate ? "a row has taken its key since" : `it fails: ${error.message}`));
    return this.engine !== "postgres";
  }

  /** What the rollback says when rows changed since, shown on the change and in its thread. */
  refusal(sourceKey: string): string {
    const shown = this.changedRows.slice(0, SHOWN_ROWS).join("\n");
    const more = this.changedRows.length > SHOWN_ROWS ? `\n…and ${this.changedRows.length - SHOWN_ROWS} more` : "";
    return `${this.changedRows.length} row(s) changed since ${sourceKey} ran, so the rollback did not run:\n${shown}${more}\nAn approver can force it with "Force rollback", which restores those rows too.`;
  }
}

/** Whether the server refused the statement itself (as opposed to the connection failing). */
export function isStatementError(error: Error): error is EngineError {
  return error instanceof EngineError && error.kind === "statement";
}

/** Changed rows listed in a refusal; the count says how many more. */
const SHOWN_ROWS = 20;

/** Whether a guarded rollback statement found its row; one that did not must stop the rollback. */
function guardHeld(outcome: StatementOutcome): boolean {
  return outcome.rowsAffected > 0;
}

function describe(index: number, text: string, why: string): string {
  const shown = text.length > SHOWN_CHARACTERS ? `${text.slice(0, SHOWN_CHARACTERS)}…` : text;
  return `statement ${index + 1}: ${why}: ${shown}`;
}
