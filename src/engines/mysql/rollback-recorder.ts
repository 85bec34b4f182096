// Records a MySQL/MariaDB data change for rollback: the binlog window around its transaction, then its own row events.
import { RollbackScriptBuilder, unavailable } from "../../rollback/script.ts";
import type { DataChangeRecorder, PreparedRollback, RecordingOptions } from "../../rollback/types.ts";
import type { ConnectionTarget, StatementOutcome } from "../engine.ts";
import { currentBinlogCoordinates, lastCommittedGtid, readTransactionRows, type BinlogCoordinates, type RowEvent } from "./binlog-reader.ts";
import { readRollbackTable } from "./rollback-catalog.ts";
import { InverseWriter } from "./rollback-inverse.ts";
import type { MySqlSession } from "./session.ts";
import { mysqlLeadingKeyword } from "./split.ts";

/** Statements that change rows inside the transaction; anything else (DDL) would commit it implicitly. */
const TRANSACTIONAL = new Set(["INSERT", "UPDATE", "DELETE", "REPLACE", "SELECT", "SET", "WITH", "CALL", "DO", "VALUES", "TABLE"]);

class RowLimitExceeded extends Error {}

/** Called after BEGIN, once the instance's readiness is known: records where the binlog stood before the change. */
export async function startBinlogRecording(session: MySqlSession, target: ConnectionTarget, options: RecordingOptions): Promise<DataChangeRecorder> {
  return new BinlogRecorder(session, target, options, await currentBinlogCoordinates(session));
}

class BinlogRecorder implements DataChangeRecorder {
  private rowsAffected = 0;
  private refusal: string | undefined;

  constructor(
    private readonly session: MySqlSession,
    private readonly target: ConnectionTarget,
    private readonly options: RecordingOptions,
    private readonly start: BinlogCoordinates,
  ) {}

  async execute(sql: string, ordinal: number): Promise<StatementOutcome> {
    const keyword = mysqlLeadingKeyword(sql);
    if (!TRANSACTIONAL.has(keyword)) {
      this.refusal ??= `statement ${ordinal} (${keyword}) commits the transaction implicitly, so the change's rows cannot be told apart in the binlog`;
    }
    const outcome = await this.session.execute(sql);
    this.rowsAffected += outcome.rowsAffected;
    return outcome;
  }

  async finish(): Promise<PreparedRollback> {
    if (this.refusal) return unavailable(`rollback is unavailable: ${this.refusal}.`);
    if (this.rowsAffected > this.options.rowLimit) return this.overLimit(this.rowsAffected);
    try {
      const end = await currentBinlogCoordinates(this.session);
      const gtid = await lastCommittedGtid(this.session);
      const details = { binlogStart: this.start, binlogEnd: end, threadId: this.session.connectionId, ...(gtid ? { gtid } : {}) };
      const builder = new RollbackScriptBuilder();
      if (end.file !== this.start.file || end.position !== this.start.position) await this.readOwnRows(end, gtid, builder);
      if (builder.rowCount === 0 && this.rowsAffected > 0) {
        return unavailable(`rollback is unavailable: the change's row events were not found in the binlog between ${this.start.file}:${this.start.position} and ${end.file}:${end.position}.`);
      }
      return builder.build(this.options.changeKey, details);
    } catch (error) {
      if (error instanceof RowLimitExceeded) return this.overLimit(Number(error.message));
      return unavailable(`rollback is unavailable: reading the change back from the binlog failed: ${(error as Error).message}`);
    }
  }

  private overLimit(rows: number): PreparedRollback {
    return unavailable(
      `rollback was not prepared: the change touched more than ${this.options.rowLimit} rows (${rows}), the rollback row limit. Take a backup before changes this large.`,
    );
  }

  /** Table metadata is fetched when a table first appears; events queue behind it so the order is kept. */
  private async readOwnRows(end: BinlogCoordinates, gtid: string | undefined, builder: RollbackScriptBuilder): Promise<void> {
    const writers = new Map<string, InverseWriter>();
    const waiting: RowEvent[] = [];
    let fetching: Promise<void> = Promise.resolve();
    let failure: unknown;
    const write = (event: RowEvent): void => {
      const writer = writers.get(`${event.schema}.${event.table}`)!;
      builder.addBatch(writer.inverses(event), event.rows.length);
      if (builder.rowCount > this.options.rowLimit) throw new RowLimitExceeded(String(builder.rowCount));
    };
    const drain = async (): Promise<void> => {
      while (waiting.length > 0) {
        const event = waiting[0]!;
        const name = `${event.schema}.${event.table}`;
        if (!writers.has(name)) writers.set(name, new InverseWriter(await readRollbackTable(this.session, event.schema, event.table)));
        write(waiting.shift()!);
      }
    };
    await readTransactionRows(this.target, this.start, end, { threadId: this.session.connectionId, gtid }, (event) => {
      if (failure) throw failure;
      if (waiting.length === 0 && writers.has(`${event.schema}.${event.table}`)) return write(event);
      waiting.push(event);
      if (waiting.length === 1) fetching = drain().catch((error: unknown) => void (failure = error));
    });
    await fetching;
    if (failure) throw failure;
  }
}
