// Streams one transaction's row events out of the binlog, between two recorded coordinates.
import ZongJi from "@vlasky/zongji";
import type { ConnectionTarget } from "../engine.ts";
import { EngineError } from "../errors.ts";
import { driverTls } from "../tls.ts";
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

export type RowEventKind = "insert" | "update" | "delete";

export interface RowEvent {
  kind: RowEventKind;
  schema: string;
  table: string;
  /** Decoded by column name; updates carry before and after images. */
  rows: Array<Record<string, unknown>> | Array<{ before: Record<string, unknown>; after: Record<string, unknown> }>;
}

/** MySQL 8.4 renamed SHOW MASTER STATUS; MariaDB and older MySQL know only the old name. */
const BINLOG_STATUS = ["SHOW MASTER STATUS", "SHOW BINARY LOG STATUS"];
/** MariaDB: the GTID the session's last committed transaction received. */
export const LAST_GTID = "SELECT @@last_gtid AS gtid";

export async function currentBinlogCoordinates(session: MySqlSession): Promise<BinlogCoordinates> {
  let lastError: unknown;
  for (const sql of BINLOG_STATUS) {
    try {
      const [row] = await session.queryRows(sql);
      if (!row) throw new EngineError("the server reports no binlog position: is log_bin on?", { kind: "invalid" });
      return { file: String(row.File), position: Number(row.Position) };
    } catch (error) {
      lastError = error;
    }
  }
  throw lastError;
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

const ROW_EVENTS: Record<string, RowEventKind> = { writerows: "insert", updaterows: "update", deleterows: "delete" };
const IDLE_TIMEOUT_MS = 30_000;

/**
 * Reads [from, to) and hands each row event of our transaction to onRows as it arrives; stops at our
 * transaction's commit (or at `to`). Events of other sessions are skipped without being kept.
 */
export function readTransactionRows(
  target: ConnectionTarget,
  from: BinlogCoordinates,
  to: BinlogCoordinates,
  identity: TransactionIdentity,
  onRows: (event: RowEvent) => void,
): Promise<void> {
  const zongji = new ZongJi({
    host: target.host,
    port: target.port,
    user: target.user,
    password: target.password,
    ssl: driverTls("mysql", target),
    connectTimeout: target.connectTimeoutMs,
    // Values exactly as the server stores them: dates as text, TIMESTAMP in UTC, JSON as its text, big numbers exact.
    dateStrings: true,
    timezone: "Z",
    jsonStrings: true,
    supportBigNumbers: true,
    bigNumberStrings: true,
    charset: "utf8mb4_unicode_ci",
  } as ConstructorParameters<typeof ZongJi>[0]);
  let file = from.file;
  let ours = false;
  let settled = false;

  return new Promise<void>((resolve, reject) => {
    let idle: NodeJS.Timeout;
    const finish = (error?: unknown): void => {
      if (settled) return;
      settled = true;
      clearTimeout(idle);
      zongji.once("stopped", () => (error ? reject(error) : resolve()));
      zongji.stop();
    };
    const arm = (): void => {
      clearTimeout(idle);
      idle = setTimeout(
        () => finish(new EngineError(`reading the binlog stalled before ${to.file}:${to.position}`, { kind: "timeout" })),
        IDLE_TIMEOUT_MS,
      );
    };
    zongji.on("error", (error: unknown) => finish(error));
    zongji.on("binlog", (raw: unknown) => {
      if (settled) return;
      const event = raw as Record<string, unknown> & { getEventName(): string; nextPosition: number };
      arm();
      const name = event.getEventName();
      if (name === "rotate") {
        file = String(event.binlogName);
        return;
      }
      if (name === "mariadbgtid") {
        ours = identity.gtid !== undefined && event.gtid === identity.gtid;
      } else if (name === "query") {
        const query = String(event.query).trim().toUpperCase();
        if (query === "BEGIN") ours = identity.gtid !== undefined ? event.gtid === identity.gtid : event.slaveProxyId === identity.threadId;
        else if (ours && query === "COMMIT") return finish();
      } else if (name === "xid") {
        if (ours) return finish();
      } else if (ours && name in ROW_EVENTS) {
        const table = (event.tableMap as Record<number, { parentSchema: string; tableName: string }>)[event.tableId as number]!;
        try {
          onRows({ kind: ROW_EVENTS[name]!, schema: table.parentSchema, table: table.tableName, rows: event.rows as RowEvent["rows"] });
        } catch (error) {
          return finish(error);
        }
      }
      if (file === to.file && event.nextPosition >= to.position) finish();
    });
    arm();
    zongji.start({
      // Any id other than the server's and its replicas'; random so two readers never evict each other.
      serverId: 0x7f000000 + Math.floor(Math.random() * 0xffffff),
      startAtEnd: false,
      filename: from.file,
      position: from.position,
      includeEvents: ["tablemap", "writerows", "updaterows", "deleterows", "query", "xid", "rotate", "mariadbgtid"],
    });
  });
}
