// Opens a mysql2 connection with timeouts and TLS, and applies Sluice's session settings.
import mysql from "mysql2";
import type { Connection as PromiseConnection } from "mysql2/promise";
import type { ConnectionTarget, SessionLimits } from "../engine.ts";
import { connectionFailed } from "../errors.ts";
import { driverTls } from "../tls.ts";
import { parseServerVersion, statementTimeLimitSetting, type MySqlServer } from "./server.ts";

/** One open connection and what the session layers need to know about it. */
export interface MySqlLink {
  /** The callback-style connection, for streaming. */
  core: mysql.Connection;
  /** The same connection with promises. */
  conn: PromiseConnection;
  connectionId: number;
  server: MySqlServer;
  target: ConnectionTarget;
  limits: SessionLimits;
  /** Whether the server accepts several statements in one packet on this connection (see MySqlSession.executeBatch). */
  multipleStatements: boolean;
}

/** Opens a bare connection: no session settings. Used for server-level work and for KILL QUERY. */
export async function openConnection(target: ConnectionTarget, { multipleStatements = false } = {}): Promise<{ core: mysql.Connection; conn: PromiseConnection }> {
  const core = mysql.createConnection({
    host: target.host,
    port: target.port,
    user: target.user,
    password: target.password,
    ...(target.database ? { database: target.database } : {}),
    connectTimeout: target.connectTimeoutMs,
    ssl: driverTls("mysql", target),
    multipleStatements,
    dateStrings: true,
    supportBigNumbers: true,
    charset: "utf8mb4_unicode_ci",
  });
  // A connection the server drops later reports it on the next query; without a listener it would crash the process.
  core.on("error", () => {});
  const conn = core.promise();
  try {
    await conn.connect();
  } catch (error) {
    core.destroy();
    throw connectionFailed("mysql", target, error);
  }
  return { core, conn };
}

/** Runs `work` on a bare connection (openConnection) and closes it after, whatever happens. */
export async function withOpenConnection<T>(target: ConnectionTarget, work: (conn: PromiseConnection) => Promise<T>): Promise<T> {
  const { core, conn } = await openConnection(target);
  try {
    return await work(conn);
  } finally {
    await conn.end().catch(() => core.destroy());
  }
}

export async function connectMySql(target: ConnectionTarget, limits: SessionLimits, { multipleStatements = false } = {}): Promise<MySqlLink> {
  const { core, conn } = await openConnection(target, { multipleStatements });
  try {
    const [rows] = await conn.query("SELECT VERSION() AS version, CONNECTION_ID() AS connectionId");
    const { version, connectionId } = (rows as Array<{ version: string; connectionId: number | string }>)[0]!;
    const server = parseServerVersion(version);
    await conn.query(sessionSettingsSql(server, limits));
    return { core, conn, connectionId: Number(connectionId), server, target, limits, multipleStatements };
  } catch (error) {
    core.destroy();
    throw connectionFailed("mysql", target, error);
  }
}

/** UTC keeps TIMESTAMP values independent of the server's zone; lock waits are whole seconds, at least one. */
export function sessionSettingsSql(server: MySqlServer, limits: SessionLimits): string {
  const lockSeconds = Math.max(1, Math.ceil(nonNegative(limits.lockTimeoutMs) / 1000));
  return [
    "SET SESSION time_zone = '+00:00'",
    statementTimeLimitSetting(server, nonNegative(limits.statementTimeoutMs)),
    `innodb_lock_wait_timeout = ${lockSeconds}`,
    `lock_wait_timeout = ${lockSeconds}`,
  ].join(", ");
}

function nonNegative(ms: number): number {
  return Number.isFinite(ms) && ms > 0 ? Math.round(ms) : 0;
}
