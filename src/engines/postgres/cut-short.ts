// A run cut short by a crash on PostgreSQL. A transactional run's backend, if PostgreSQL still has it, is ended so its
// transaction rolls back now. Only statements that cannot run in a transaction (CONCURRENTLY, VACUUM, …) run one by
// one, and PostgreSQL keeps no record of what a lost session ran: what it can say is whether that session's backend
// still runs the statement; a retry would then run beside it, and stopping it (an index built CONCURRENTLY would be
// left invalid) is not Sluice's call.
import type { ConnectionTarget, CutShortOutcome, LostSession, SessionMark } from "../engine.ts";
import { withPostgresLink } from "./connect.ts";

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

/** The limits of the short session that asks PostgreSQL about a lost one. */
const LIMITS = { statementTimeoutMs: 10_000, lockTimeoutMs: 5_000 };
/** How long a backend Sluice ended may take to go (its transaction rolls back). */
const END_WAIT_MS = 30_000;
const SAME_BACKEND = "pid = $1 AND abs(extract(epoch FROM backend_start) - $2::float8) < 0.001";

/** The backend a mark names, as the parameters of SAME_BACKEND; undefined when the mark is not one of these. */
function backendOf(mark: SessionMark): [pid: number, backendStartedAt: number] | undefined {
  const { pid, backendStartedAt } = mark;
  return typeof pid === "number" && typeof backendStartedAt === "number" ? [pid, backendStartedAt] : undefined;
}

/**
 * After a crash: ends the lost session's backend if it is still there (PostgreSQL notices a vanished client only
 * when it next talks to it, so a long statement goes on and its transaction holds its locks), and waits for it to go.
 */
export async function endLostSession(target: ConnectionTarget, mark: SessionMark): Promise<LostSession> {
  const backend = backendOf(mark);
  if (!backend) return { note: "the run kept no usable record of its session" };
  return withPostgresLink(target, LIMITS, async ({ client }): Promise<LostSession> => {
    const ended = await client.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE ${SAME_BACKEND}`, backend);
    if (ended.rowCount === 0) return { ended: false };
    const deadline = Date.now() + END_WAIT_MS;
    while ((await client.query(`SELECT 1 FROM pg_stat_activity WHERE ${SAME_BACKEND}`, backend)).rowCount) {
      if (Date.now() > deadline) return { note: `PostgreSQL still runs Sluice's lost session (backend ${backend[0]}), though Sluice asked it to end` };
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return { ended: true };
  });
}

export async function settleCutShort(target: ConnectionTarget, mark: SessionMark): Promise<CutShortOutcome> {
  const unknown = (note: string): CutShortOutcome => ({ ran: undefined, note });
  const backend = backendOf(mark);
  if (!backend) return unknown("PostgreSQL keeps no record of what a lost session ran");
  const [pid] = backend;
  try {
    const { rows } = await withPostgresLink(target, LIMITS, ({ client }) => client.query(`SELECT state FROM pg_stat_activity WHERE ${SAME_BACKEND}`, backend));
    if (rows[0]?.state === "active") {
      return unknown(`PostgreSQL is still running it for Sluice's lost session (backend ${pid}); let it end, or end it with pg_cancel_backend(${pid}), before you retry`);
    }
  } catch (error) {
    return unknown(`PostgreSQL could not be asked (${(error as Error).message})`);
  }
  return unknown("PostgreSQL keeps no record of what a lost session ran");
}
