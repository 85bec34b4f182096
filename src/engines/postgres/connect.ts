// Opens a pg client with timeouts and TLS, and applies Sluice's session settings.
import pg from "pg";
import type { ConnectionTarget, SessionLimits } from "../engine.ts";
import { connectionFailed } from "../errors.ts";
import { driverTls } from "../tls.ts";

/** Date and time values stay the server's text (in UTC, see below): no shift through a JavaScript Date. */
const DATE_TIME_TYPES = new Set([1082, 1083, 1114, 1184, 1266]);

const textDateTimeTypes = {
  getTypeParser: ((oid: number, format?: "text" | "binary") =>
    DATE_TIME_TYPES.has(oid) ? (value: string) => value : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

export interface PostgresLink {
  client: pg.Client;
  connectionId: number;
  limits: SessionLimits;
}

export async function connectPostgres(target: ConnectionTarget, limits: SessionLimits): Promise<PostgresLink> {
  const client = new pg.Client({
    host: target.host,
    port: target.port,
    user: target.user,
    password: target.password,
    database: target.database ?? "postgres",
    connectionTimeoutMillis: target.connectTimeoutMs,
    ssl: driverTls("postgres", target) ?? false,
    types: textDateTimeTypes,
    application_name: "sluice",
  });
  // A connection the server drops later reports it on the next query; without a listener it would crash the process.
  client.on("error", () => {});
  try {
    await client.connect();
    // standard_conforming_strings on: the server reads '...' as the splitter (postgres/split.ts) did, backslash and all.
    const result = await client.query<{ pid: number }>(
      `SELECT pg_backend_pid() AS pid, set_config('statement_timeout', $1, false), set_config('lock_timeout', $2, false),
              set_config('TimeZone', 'UTC', false), set_config('standard_conforming_strings', 'on', false)`,
      [String(milliseconds(limits.statementTimeoutMs)), String(milliseconds(limits.lockTimeoutMs))],
    );
    return { client, connectionId: result.rows[0]!.pid, limits };
  } catch (error) {
    await client.end().catch(() => {});
    throw connectionFailed("postgres", target, error);
  }
}

/** Runs `work` on a connection of its own (connectPostgres) and closes it after, whatever happens. */
export async function withPostgresLink<T>(target: ConnectionTarget, limits: SessionLimits, work: (link: PostgresLink) => Promise<T>): Promise<T> {
  const link = await connectPostgres(target, limits);
  try {
    return await work(link);
  } finally {
    await link.client.end().catch(() => {});
  }
}

export function milliseconds(ms: number): number {
  return Number.isFinite(ms) && ms > 0 ? Math.round(ms) : 0;
}
