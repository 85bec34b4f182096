// How a prior-backup recorder runs a change's statements, whatever the engine: each statement is planned as the
// statements it sends (its backup, itself, the read-back of its rows) and how their answers are kept; runs of planned
// statements go to the server together, and a statement whose rollback is refused runs on its own.
import type { BatchOutcome, StatementOutcome } from "../engines/engine.ts";

/** One statement of the change as sent: the statements it needs, and how their answers (one each, in order) are kept. */
export interface PlannedStep<Statement, Answer> {
  statements: Statement[];
  keep(answers: Answer[]): StatementOutcome | Promise<StatementOutcome>;
}

export interface StepRunner<Statement, Answer> {
  /** The step of one statement, or why its rollback is refused (it then runs on its own, through refuse). */
  plan(sql: string, ordinal: number): Promise<PlannedStep<Statement, Answer> | { refusal: string }>;
  /** Sends statements in order, stopping at the first failure; the answers of those that ran. */
  pipeline(statements: Statement[]): Promise<{ answers: Answer[]; failure?: { error: Error } }>;
  /** Notes why the change has no rollback, and runs the statement as it is. */
  refuse(reason: string, sql: string): Promise<StatementOutcome>;
}

/** Runs statements in order, stopping at the first failure, as DataChangeRecorder.executeBatch does. */
export async function runPlannedSteps<Statement, Answer>(
  runner: StepRunner<Statement, Answer>,
  statements: ReadonlyArray<{ sql: string; ordinal: number }>,
): Promise<BatchOutcome> {
  const outcomes: StatementOutcome[] = [];
  let next = 0;
  while (next < statements.length) {
    const run: Array<PlannedStep<Statement, Answer>> = [];
    let refusal: string | undefined;
    for (const { sql, ordinal } of statements.slice(next)) {
      const planned = await runner.plan(sql, ordinal);
      if ("refusal" in planned) {
        refusal = planned.refusal;
        break;
      }
      run.push(planned);
    }
    if (run.length === 0) {
      try {
        outcomes.push(await runner.refuse(refusal!, statements[next]!.sql));
      } catch (error) {
        return { outcomes, failure: { index: next, error: error instanceof Error ? error : new Error(String(error)) } };
      }
      next += 1;
      continue;
    }
    const { answers, failure } = await runner.pipeline(run.flatMap((step) => step.statements));
    let answered = 0;
    for (const [i, step] of run.entries()) {
      if (answered + step.statements.length > answers.length) {
        // A statement whose backup, itself or its read-back failed is the one that failed.
        return { outcomes, failure: { index: next + i, error: failure!.error } };
      }
      outcomes.push(await step.keep(answers.slice(answered, answered + step.statements.length)));
      answered += step.statements.length;
    }
    next += run.length;
  }
  return { outcomes };
}

/** One statement through runPlannedSteps, as DataChangeRecorder.execute runs it: its outcome, or its failure thrown. */
export async function runPlannedStep<Statement, Answer>(runner: StepRunner<Statement, Answer>, sql: string, ordinal: number): Promise<StatementOutcome> {
  const { outcomes, failure } = await runPlannedSteps(runner, [{ sql, ordinal }]);
  if (failure) throw failure.error;
  return outcomes[0]!;
}
