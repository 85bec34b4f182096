// Streams one transaction's row events out of the binlog, between two recorded coordinates.
import type { ConnectionTarget } from "../engine.ts";
import { EngineError } from "../errors.ts";
import { EVENT, isRowsEvent, payloadEvents, readQueryHead, readRowsEvent, readTableMap, type RowsEvent, type TableMap } from "./binlog-rows.ts";
import { openBinlogStream, type BinlogEventView } from "./binlog-stream.ts";
import type { MySqlSession } from "./session.ts";

export interface BinlogCoordinates {
  file: string;
  position: number;
}

/** Which transaction is ours: MariaDB names it by GTID (its events carry no thread id); MySQL by the BEGIN's thread id. */
export interface TransactionIdentity {
  threadId: number;
  gtid?: string;
}

/** MySQL 8.4 renamed SHOW MASTER STATUS; MariaDB and older MySQL know only the old name. */
const BINLOG_STATUS = ["SHOW MASTER STATUS", "SHOW BINARY LOG STATUS"];
/** MariaDB: the GTID the session's last committed transaction received. */
export const LAST_GTID = "SELECT @@last_gtid AS gtid";

/** Where the binlog stands, and whether the server filters what it writes there (binlog-do-db, binlog-ignore-db). */
export async function binlogStatus(query: (sql: string) => Promise<Array<Record<string, unknown>>>): Promise<BinlogCoordinates & { filtered: boolean }> {
  let lastError: unknown;
  for (const sql of BINLOG_STATUS) {
    try {
      const [row] = await query(sql);
      if (!row) throw new EngineError("the server reports no binlog position: is log_bin on?", { kind: "invalid" });
      return { file: String(row.File), position: Number(row.Position), filtered: Boolean(row.Binlog_Do_DB) || Boolean(row.Binlog_Ignore_DB) };
    } catch (error) {
      lastError = error;
    }
  }
  throw lastError;
}

export async function currentBinlogCoordinates(session: MySqlSession): Promise<BinlogCoordinates> {
  const { file, position } = await binlogStatus((sql) => session.queryRows(sql));
  return { file, position };
}

export async function lastCommittedGtid(session: MySqlSession): Promise<string | undefined> {
  try {
    const [row] = await session.queryRows(LAST_GTID);
    const gtid = row?.gtid;
    return typeof gtid === "string" && gtid !== "" ? gtid : undefined;
  } catch {
    return undefined; // MySQL has no @@last_gtid: the thread id identifies the transaction.
  }
}

const IDLE_TIMEOUT_MS = 30_000;

/**
 * Reads [from, to) and hands each row event of our transaction, with its table's map, to onRows as it arrives;
 * stops at our transaction's commit (or at `to`). Other sessions' events are skipped undecoded. The event's bytes
 * are the stream's own: onRows reads them before it returns, or keeps them (they are never reused).
 */
export async function readTransactionRows(
  target: ConnectionTarget,
  from: BinlogCoordinates,
  to: BinlogCoordinates,
  identity: TransactionIdentity,
  onRows: (event: RowsEvent, table: TableMap) => void,
): Promise<void> {
  const transaction = new TransactionRowEvents(identity, onRows);
  let file = from.file;
  let idle: NodeJS.Timeout | undefined;
  let failure: unknown;
  const fail = (error: unknown): void => {
    failure ??= error;
    stream.stop();
  };
  const arm = (): void => {
    clearTimeout(idle);
    idle = setTimeout(() => fail(new EngineError(`reading the binlog stalled before ${to.file}:${to.position}`, { kind: "timeout" })), IDLE_TIMEOUT_MS);
  };

  const onEvent = (event: BinlogEventView): void => {
    arm();
    if (event.type === EVENT.ROTATE) {
      file = event.buf.toString("utf8", event.start + 8, event.end);
      return;
    }
    if (transaction.read(event) === "committed") return stream.stop();
    if (file === to.file && event.nextPosition >= to.position) stream.stop();
  };

  // Any id other than the server's and its replicas'; random so two readers never evict each other.
  const stream = await openBinlogStream(target, from, 0x7f000000 + Math.floor(Math.random() * 0xffffff), (event) => {
    try {
      onEvent(event);
    } catch (error) {
      fail(error);
    }
  });
  arm();
  try {
    await stream.closed;
  } finally {
    clearTimeout(idle);
  }
  if (failure) throw failure;
}

/**
 * Follows a run of binlog events and hands the row events of one transaction to onRows. MariaDB names the
 * transaction by the GTID event before it; MySQL by the thread id of its BEGIN. A MySQL 8 compressed transaction
 * (TRANSACTION_PAYLOAD) is opened and its events followed the same way, whoever's it is: only its BEGIN tells.
 */
export class TransactionRowEvents {
  private readonly tables = new Map<number, TableMap>();
  private gtid: string | undefined;
  private ours = false;

  constructor(
    private readonly identity: TransactionIdentity,
    private readonly onRows: (event: RowsEvent, table: TableMap) => void,
  ) {}

  /** "committed" once our transaction's end is read: nothing after it is ours. */
  read(event: BinlogEventView): "committed" | undefined {
    const { type } = event;
    if (type === EVENT.MARIADB_GTID) {
      this.gtid = `${event.buf.readUInt32LE(event.start + 8)}-${event.serverId}-${event.buf.readBigUInt64LE(event.start)}`;
      this.ours = this.identity.gtid !== undefined && this.gtid === this.identity.gtid;
    } else if (type === EVENT.QUERY) {
      const query = queryText(event);
      if (query === "BEGIN") this.ours = this.identity.gtid !== undefined ? this.gtid === this.identity.gtid : readQueryHead(event).threadId === this.identity.threadId;
      else if (this.ours && query === "COMMIT") return "committed";
    } else if (type === EVENT.XID) {
      if (this.ours) return "committed";
    } else if (type === EVENT.TRANSACTION_PAYLOAD) {
      for (const inner of payloadEvents(event)) if (this.read(inner) === "committed") return "committed";
    } else if (this.ours && type === EVENT.TABLE_MAP) {
      const table = readTableMap(event);
      this.tables.set(table.id, table);
    } else if (this.ours && isRowsEvent(type)) {
      const rows = readRowsEvent(event);
      const table = this.tables.get(rows.tableId);
      if (!table) throw new EngineError(`a row event names table id ${rows.tableId}, which no TABLE_MAP event before it described`, { kind: "invalid" });
      this.onRows(rows, table);
    } else if (this.ours && type === EVENT.PARTIAL_UPDATE_ROWS) {
      throw new EngineError("the change's updates are logged as partial JSON (binlog_row_value_options=PARTIAL_JSON), which Sluice cannot undo", {
        kind: "invalid",
      });
    }
    return undefined;
  }
}

/** BEGIN and COMMIT are all we look for, so longer statements are not decoded. */
function queryText(event: BinlogEventView): string | undefined {
  const { textStart } = readQueryHead(event);
  return event.end - textStart <= "COMMIT".length ? event.buf.toString("latin1", textStart, event.end) : undefined;
}
