// A statement cut short by a crash on PostgreSQL. Only statements that cannot run in a transaction (CONCURRENTLY,
// VACUUM, …) run one by one, and PostgreSQL keeps no record of what a lost session ran. What it can say is whether
// that session's backend is still running it: then a retry would run beside it, and stopping it (an index built
// CONCURRENTLY would be left invalid) is not Sluice's call.
import type { ConnectionTarget, CutShortOutcome, SessionMark } from "../engine.ts";
import { connectPostgres } from "./connect.ts";

type Query = (sql: string, values?: unknown[]) => Promise<Array<Record<string, unknown>>>;

/** The session's backend: its pid, and when it started (pids are reused). */
export async function sessionMark(query: Query): Promise<SessionMark | undefined> {
  try {
    const [row] = await query("SELECT pid, extract(epoch FROM backend_start)::float8 AS started FROM pg_stat_activity WHERE pid = pg_backend_pid()");
    return row ? { pid: Number(row.pid), backendStartedAt: Number(row.started) } : undefined;
  } catch {
    return undefined;
  }
}

export async function settleCutShort(target: ConnectionTarget, mark: SessionMark): Promise<CutShortOutcome> {
  const unknown = (note: string): CutShortOutcome => ({ ran: undefined, note });
  const { pid, backendStartedAt } = mark;
  if (typeof pid !== "number" || typeof backendStartedAt !== "number") return unknown("PostgreSQL keeps no record of what a lost session ran");
  try {
    const link = await connectPostgres(target, { statementTimeoutMs: 10_000, lockTimeoutMs: 5_000 });
    try {
      const { rows } = await link.client.query(
        "SELECT state FROM pg_stat_activity WHERE pid = $1 AND abs(extract(epoch FROM backend_start) - $2::float8) < 0.001",
        [pid, backendStartedAt],
      );
      if (rows[0]?.state === "active") {
        return unknown(`PostgreSQL is still running it for Sluice's lost session (backend ${pid}); let it end, or end it with pg_cancel_backend(${pid}), before you retry`);
      }
    } finally {
      await link.client.end().catch(() => {});
    }
  } catch (error) {
    return unknown(`PostgreSQL could not be asked (${(error as Error).message})`);
  }
  return unknown("PostgreSQL keeps no record of what a lost session ran");
}
