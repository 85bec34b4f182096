// After a crash, what the server itself can tell of the run's lost session. The session is ended if the server still
// has it: a statement goes on after its client died, and its transaction keeps its locks. And a schema statement it
// had is settled from the binlog: MySQL and MariaDB write each statement that changes the schema as it commits, with
// its text and the thread id of the session that ran it, so once that session is gone, the binlog since the run's
// start says whether the statement took effect.
import type { ConnectionTarget, CutShortOutcome, LostSession, SessionMark } from "../engine.ts";
import { EVENT, readQueryHead } from "./binlog-rows.ts";
import { openBinlogStream, type BinlogEventView } from "./binlog-stream.ts";
import { binlogStatus, type BinlogCoordinates } from "./binlog-reader.ts";
import { withOpenConnection } from "./connect.ts";
import { mysqlLeadingKeyword } from "./split.ts";

/** A run's session as the server can later be asked about it. */
interface MySqlSessionMark {
  threadId: number;
  /** When the server started (Unix seconds): thread ids are unique only within one server's life. */
  serverStartedAt: number;
  /** Where the binlog stood when the run began; absent when the binlog is off or filtered. */
  file?: string;
  position?: number;
}

/**
 * Statements the binlog records under their session's thread id, with their text, when they take effect. Data
 * statements are logged as row events, which MariaDB does not tie to a session; ANALYZE, OPTIMIZE and REPAIR are
 * left out of the binlog when LOCAL: those are never settled here.
 */
const LOGGED_WITH_TEXT = new Set(["CREATE", "ALTER", "DROP", "RENAME", "TRUNCATE", "GRANT", "REVOKE"]);
/** A server started within this many seconds of the recorded start is the same run of it (uptime counts whole seconds). */
const SAME_START_SECONDS = 5;
/** How long a statement Sluice stopped may take to end (a large ALTER rolls back). */
const STOP_WAIT_MS = 30_000;
/** How long reading the binlog since the run began may take (a long run on a busy server has much to skip). */
const READ_LIMIT_MS = 120_000;
/** Transaction markers: the statements of a transaction are row events, not these. */
const MARKERS = new Set(["BEGIN", "COMMIT", "ROLLBACK", "XA START", "XA END", "XA PREPARE", "XA COMMIT"]);

type Row = Record<string, unknown>;
type Query = (sql: string, values?: unknown[]) => Promise<Row[]>;

/** Runs `work` with queries on a server-level connection of the target's (no database chosen), closed after. */
function withServerQuery<T>(target: ConnectionTarget, work: (query: Query) => Promise<T>): Promise<T> {
  return withOpenConnection({ ...target, database: undefined }, (conn) => work(async (sql, values) => (await conn.query(sql, values))[0] as Row[]));
}

async function serverStartedAt(query: Query): Promise<number> {
  const [clock] = await query("SELECT UNIX_TIMESTAMP() AS now");
  const [uptime] = await query("SHOW GLOBAL STATUS LIKE 'Uptime'");
  return Number(clock?.now) - Number(uptime?.Value);
}

/**
 * What a run's session records at its start: its thread and the server's start, so that after a crash the session
 * can be ended if the server still has it; and where the binlog stood, so that a statement cut short can be settled
 * from it (left out when the binlog is off, filtered so some databases' statements would be missing, or unreadable).
 */
export async function sessionMark(query: Query, threadId: number): Promise<SessionMark | undefined> {
  let mark: MySqlSessionMark;
  try {
    mark = { threadId, serverStartedAt: await serverStartedAt(query) };
  } catch {
    return undefined;
  }
  const status = await binlogStatus(query).catch(() => undefined); // off or unreadable: no position to settle from
  if (status && !status.filtered) Object.assign(mark, { file: status.file, position: status.position });
  return { ...mark };
}

function readMark(mark: SessionMark): MySqlSessionMark | undefined {
  const { threadId, file, position, serverStartedAt } = mark;
  if (typeof threadId !== "number" || typeof serverStartedAt !== "number") return undefined;
  return { threadId, serverStartedAt, ...(typeof file === "string" && typeof position === "number" ? { file, position } : {}) };
}

/** How the lost session was found: not there, ended while idle, or ended while it still ran a statement. */
type Ending = "gone" | "idle" | "busy";

/**
 * Ends the session a mark names if the server still has it (a statement it runs stops, an open transaction rolls
 * back), and waits until it is gone. A string says why that cannot be done.
 */
async function endSession(query: Query, mark: MySqlSessionMark): Promise<Ending | string> {
  if (Math.abs((await serverStartedAt(query)) - mark.serverStartedAt) > SAME_START_SECONDS) {
    return "the database server has restarted since, so its record of the session cannot be told apart";
  }
  const session = async () => (await query("SELECT ID, INFO FROM information_schema.PROCESSLIST WHERE ID = ?", [mark.threadId]))[0];
  const found = await session();
  if (!found) return "gone";
  await query(`KILL CONNECTION ${Number(mark.threadId)}`).catch(() => {});
  const deadline = Date.now() + STOP_WAIT_MS;
  while (await session()) {
    if (Date.now() > deadline) return `the database server still runs Sluice's lost session (connection ${mark.threadId}), though Sluice asked it to stop`;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return found.INFO === null || found.INFO === undefined ? "idle" : "busy";
}

/** After a crash: ends the lost session if the server still has it; whether it did, or why it cannot tell. */
export async function endLostSession(target: ConnectionTarget, savedMark: SessionMark): Promise<LostSession> {
  const mark = readMark(savedMark);
  if (!mark) return { note: "the run kept no usable record of its session" };
  const ending = await withServerQuery(target, (query) => endSession(query, mark));
  return ending === "gone" || ending === "idle" || ending === "busy" ? { ended: ending !== "gone" } : { note: ending };
}

const unknown = (note: string): CutShortOutcome => ({ ran: undefined, note });

/**
 * Whether `statement`, which the run's session had when Sluice stopped, took effect. The session is stopped first if
 * the server still runs it (nobody could record its end otherwise). `done` are the statements the run completed
 * before it, in order. The answer is given only on evidence: the statement's own text as the session's last
 * binlog entry (it ran), or the statement just before it as that last entry (it did not: the session logged
 * nothing after it, and nothing between the two could have turned its logging off); anything else is unknown. A
 * schema statement that takes effect without a binlog entry is one that changed nothing that outlives its session
 * (CREATE TABLE IF NOT EXISTS of a table that exists, a TEMPORARY table).
 */
export async function settleCutShort(target: ConnectionTarget, savedMark: SessionMark, run: { done: readonly string[]; statement: string }): Promise<CutShortOutcome> {
  const mark = readMark(savedMark);
  if (!mark) return unknown("the run kept no usable record of its session");
  if (mark.file === undefined || mark.position === undefined) return unknown("the database server's binlog was off or filtered when the run began");
  const start: BinlogCoordinates = { file: mark.file, position: mark.position };
  if (!LOGGED_WITH_TEXT.has(mysqlLeadingKeyword(run.statement))) return unknown("the binlog ties only schema statements to the session that ran them");
  const reached = await withServerQuery(target, async (query): Promise<CutShortOutcome | { stopped: boolean; end: BinlogCoordinates }> => {
    // The runner is gone, and with it whoever would record the statement's end: its session is ended (idle, or
    // still running the statement), so the statement's fate is final before the binlog is read.
    const ending = await endSession(query, mark);
    if (ending !== "gone" && ending !== "idle" && ending !== "busy") return unknown(ending);
    const end = await binlogStatus(query).catch(() => undefined);
    if (!end) return unknown("the database server's binlog cannot be read now");
    return { stopped: ending === "busy", end };
  });
  if ("note" in reached) return reached;
  const { stopped, end } = reached;
  let logged: LoggedStatement[];
  try {
    logged = await sessionStatements(target, start, end, mark.threadId);
  } catch (error) {
    return unknown(`reading the binlog failed: ${(error as Error).message}`);
  }
  const when = stopped ? "The database server was still running it for Sluice's lost session, so Sluice stopped it. " : "";
  const last = logged.at(-1);
  const previous = run.done.at(-1);
  if (logged.some((entry) => entry.failed)) return unknown("the binlog holds a statement of the session that ended in an error");
  if (last?.text === run.statement && !run.done.includes(run.statement)) {
    return { ran: true, note: `${when}The database's binlog shows this statement took effect.` };
  }
  if (previous === undefined ? last === undefined : last?.text === previous && previous !== run.statement) {
    return { ran: false, note: `${when}The database's binlog shows this statement did not take effect, so Retry runs it again.` };
  }
  return unknown("the binlog does not show whether it took effect");
}

interface LoggedStatement {
  text: string;
  /** The server logged it with an error code: it took effect in part. */
  failed: boolean;
}

/** The statements the binlog holds for one session between two positions, transaction markers left out. */
async function sessionStatements(target: ConnectionTarget, from: BinlogCoordinates, to: BinlogCoordinates, threadId: number): Promise<LoggedStatement[]> {
  const logged: LoggedStatement[] = [];
  if (from.file === to.file && from.position >= to.position) return logged;
  let file = from.file;
  let failure: unknown;
  const onEvent = (event: BinlogEventView): void => {
    if (event.type === EVENT.ROTATE) {
      file = event.buf.toString("utf8", event.start + 8, event.end);
      return;
    }
    const head = event.type === EVENT.QUERY ? readQueryHead(event) : undefined;
    if (head && head.threadId === threadId) {
      const text = event.buf.toString("utf8", head.textStart, event.end);
      if (!MARKERS.has(text.toUpperCase())) logged.push({ text, failed: head.errorCode !== 0 });
    } else if (event.type === EVENT.QUERY_COMPRESSED || event.type === EVENT.TRANSACTION_PAYLOAD) {
      failure ??= new Error("the binlog holds compressed events, which Sluice does not read");
      stream.stop();
      return;
    }
    if (file === to.file && event.nextPosition >= to.position) stream.stop();
  };
  const stream = await openBinlogStream(target, from, 0x7f000000 + Math.floor(Math.random() * 0xffffff), onEvent);
  // Recovery waits for this answer: a stream that stalls is given up on (the statement is then unknown).
  const stall = setTimeout(() => {
    failure ??= new Error(`reading the binlog took longer than ${READ_LIMIT_MS / 1000} s`);
    stream.stop();
  }, READ_LIMIT_MS);
  try {
    await stream.closed;
  } finally {
    clearTimeout(stall);
  }
  if (failure) throw failure;
  return logged;
}
