// A data change that runs without rollback, because the instance or the change does not allow one; it says why.
import type { EngineSession, StatementOutcome } from "../engines/engine.ts";
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

  async finish(): Promise<PreparedRollback> {
    return unavailable(this.reason);
  }
}
