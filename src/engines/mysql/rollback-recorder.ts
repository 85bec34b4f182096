// Records a MySQL/MariaDB data change for rollback: the binlog window around its transaction, then its own row events.
import { RollbackScriptBuilder, unavailable } from "../../rollback/script.ts";
import type { DataChangeRecorder, PreparedRollback, RecordingOptions } from "../../rollback/types.ts";
import type { BatchOutcome, ConnectionTarget, StatementOutcome } from "../engine.ts";
import { currentBinlogCoordinates, lastCommittedGtid, readTransactionRows, type BinlogCoordinates } from "./binlog-reader.ts";
import type { RowsEvent, TableMap } from "./binlog-rows.ts";
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
    this.noteImplicitCommit(sql, ordinal);
    const outcome = await this.session.execute(sql);
    this.rowsAffected += outcome.rowsAffected;
    return outcome;
  }

  /** The binlog keeps every row whatever the packet size, so the statements go to the server in batches as they are. */
  async executeBatch(statements: ReadonlyArray<{ sql: string; ordinal: number }>): Promise<BatchOutcome> {
    for (const { sql, ordinal } of statements) this.noteImplicitCommit(sql, ordinal);
    const batch = await this.session.executeBatch(statements.map((statement) => statement.sql));
    for (const outcome of batch.outcomes) this.rowsAffected += outcome.rowsAffected;
    return batch;
  }

  private noteImplicitCommit(sql: string, ordinal: number): void {
    const keyword = mysqlLeadingKeyword(sql);
    if (!TRANSACTIONAL.has(keyword)) {
      this.refusal ??= `statement ${ordinal} (${keyword}) commits the transaction implicitly, so the change's rows cannot be told apart in the binlog`;
    }
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

  /**
   * Each table's columns are fetched from the catalog when its first rows arrive; events queue behind the fetch so
   * their order is kept. The inverses are written as each event arrives, straight from its bytes.
   */
  private async readOwnRows(end: BinlogCoordinates, gtid: string | undefined, builder: RollbackScriptBuilder): Promise<void> {
    const writers = new Map<number, InverseWriter>();
    const waiting: Array<{ event: RowsEvent; table: TableMap }> = [];
    let fetching: Promise<void> = Promise.resolve();
    let failure: unknown;
    const write = (event: RowsEvent, writer: InverseWriter): void => {
      const { text, statements, rows } = writer.write(event);
      builder.addGuardedBatch(text, statements, rows);
      if (builder.rowCount > this.options.rowLimit) throw new RowLimitExceeded(String(builder.rowCount));
    };
    const drain = async (): Promise<void> => {
      while (waiting.length > 0) {
        const { event, table } = waiting[0]!;
        let writer = writers.get(table.id);
        if (!writer) {
          writer = new InverseWriter(await readRollbackTable(this.session, table.schema, table.table), table);
          writers.set(table.id, writer);
        }
        waiting.shift();
        write(event, writer);
      }
    };
    await readTransactionRows(this.target, this.start, end, { threadId: this.session.connectionId, gtid }, (event, table) => {
      if (failure) throw failure;
      const writer = writers.get(table.id);
      if (waiting.length === 0 && writer) return write(event, writer);
      waiting.push({ event, table });
      if (waiting.length === 1) fetching = drain().catch((error: unknown) => void (failure = error));
    });
    await fetching;
    if (failure) throw failure;
  }
}
