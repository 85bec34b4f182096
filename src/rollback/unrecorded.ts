// A data change that runs without rollback, because the instance or the change does not allow one; it says why.
import type { BatchOutcome, EngineSession, StatementOutcome } from "../engines/engine.ts";
import { unavailable } from "./script.ts";
import type { DataChangeRecorder, PreparedRollback } from "./types.ts";

export class UnrecordedChange implements DataChangeRecorder {
  constructor(
    private readonly session: EngineSession,
    private readonly reason: string,
  ) {}

  execute(sql: string): Promise<StatementOutcome> {
    return this.session.execute(sql);
  }

  executeBatch(statements: ReadonlyArray<{ sql: string }>): Promise<BatchOutcome> {
    return this.session.executeBatch(statements.map((statement) => statement.sql));
  }

  async finish(): Promise<PreparedRollback> {
    return unavailable(this.reason);
  }
}
