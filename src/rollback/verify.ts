// The safety check before a rollback runs: each guarded statement must still find its row as the change left it.
import { engineFor, EngineError, type EngineName, type EngineSession, type StatementOutcome } from "../engines/index.ts";

export interface RollbackVerification {
  /** One line per row changed since the change ran (the guarded statement that no longer finds it). */
  changedRows: string[];
  checkedStatements: number;
}

/** Duplicate key: MySQL's plain INSERT of a deleted row meets a row that has taken its key since. */
const DUPLICATE_KEY = new Set(["ER_DUP_ENTRY", "23505"]);
const SHOWN_CHARACTERS = 240;

/** Statements checked per round trip (PostgreSQL pipeline, MySQL multi-statement packet). */
const CHECKED_TOGETHER = 200;

/**
 * Runs the guarded script in a transaction that is always rolled back, and lists the statements that no longer
 * find their row. Statements run in the script's order, so a row the change touched twice is checked as it stood.
 */
export async function verifyRollback(
  engine: EngineName,
  session: EngineSession,
  script: string | AsyncIterable<readonly string[]>,
): Promise<RollbackVerification> {
  const pages = typeof script === "string" ? [engineFor(engine).splitStatements(script).map((statement) => statement.text)] : script;
  const changedRows: string[] = [];
  let checked = 0;
  await session.begin();
  try {
    for await (const page of pages) {
      if (!(await checkPage(engine, session, page, checked, changedRows))) break;
      checked += page.length;
    }
  } finally {
    await session.rollback();
  }
  return { changedRows, checkedStatements: checked };
}

/** Checks one page of statements, CHECKED_TOGETHER per round trip; false when what follows cannot be checked. */
async function checkPage(engine: EngineName, session: EngineSession, statements: readonly string[], offset: number, changedRows: string[]): Promise<boolean> {
  let next = 0;
  while (next < statements.length) {
    const batch = statements.slice(next, next + CHECKED_TOGETHER);
    const { outcomes, failure } = await session.executeBatch(batch);
    outcomes.forEach((outcome, i) => {
      if (!guardHeld(outcome)) changedRows.push(describe(offset + next + i, batch[i]!, "the row was changed or removed since"));
    });
    if (!failure) {
      next += batch.length;
      continue;
    }
    const { error, index } = failure;
    if (!(error instanceof EngineError) || error.kind !== "statement") throw error;
    const duplicate = DUPLICATE_KEY.has(error.code ?? "");
    changedRows.push(describe(offset + next + index, batch[index]!, duplicate ? "a row has taken its key since" : `it fails: ${error.message}`));
    // PostgreSQL aborts the transaction on an error: what follows cannot be checked in it.
    if (engine === "postgres") return false;
    next += index + 1;
  }
  return true;
}

/** Whether a guarded rollback statement found its row; one that did not must stop the rollback (see verifyRollback). */
export function guardHeld(outcome: StatementOutcome): boolean {
  return outcome.rowsAffected > 0;
}

function describe(index: number, text: string, why: string): string {
  const shown = text.length > SHOWN_CHARACTERS ? `${text.slice(0, SHOWN_CHARACTERS)}…` : text;
  return `statement ${index + 1}: ${why}: ${shown}`;
}
