// Runs an approved change against its database under its run lock, keeping its account in the store (how each
// statement is recorded: run-statements.ts), so a crash leaves an exact account and nothing runs twice.
import type pg from "pg";
import type { Config } from "../config/load.ts";
import type { InstanceConfig } from "../config/schema.ts";
import { engineFor } from "../engines/index.ts";
import type { ConnectionTarget, CutShortOutcome, Engine, EngineSession, LostSession, SessionMark } from "../engines/engine.ts";
import { redactSecrets, type Logger } from "../logger.ts";
import { boundaryBreach, boundaryMessage } from "../projects/database-boundary.ts";
import type { Registry } from "../projects/registry.ts";
import { advisoryLockKey, tryAdvisoryLock, withAdvisoryLock } from "../store/advisory-lock.ts";
import type { ChangeDetail, ChangeRepository, StoredStatement } from "../store/changes.ts";
import { ExecutionLog } from "../store/execution-log.ts";
import type { Execution, PrismaClient, SnapshotKind } from "../store/generated/client.ts";
import { GuardCheck, startRecording, type DataChangeRecorder } from "../rollback/index.ts";
import { recordSnapshot } from "../drift/snapshots.ts";
import { driftGateAction, type DriftWatch } from "./drift-gate.ts";
import { changeSubject } from "../store/outbox.ts";
import { announce, type Announcements, type ChangeNotifier, type StoredChangeEvent } from "./notifier.ts";
import { RunProgress } from "./run-progress.ts";
import { errorText, runInTransaction, runOneByOne, StatementFailure } from "./run-statements.ts";

/** The statement a crash cut short in a run one by one, and what the target says became of it. */
interface CutShort {
  resultId: number;
  statementId: number;
  ordinal: number;
  outcome: CutShortOutcome;
}

export interface RunnerDeps {
  prisma: PrismaClient;
  pool: pg.Pool;
  changes: ChangeRepository;
  registry: Registry;
  config: Config;
  logger: Logger;
  /** Shows a run's progress on the change's root message (what is stored goes through the outbox). */
  notifier: ChangeNotifier;
  /** Delivers what the outbox holds for Slack. */
  announcements: Announcements;
  /** Checks a database for drift right before a change its environment's drift gate holds may run. */
  drift: DriftWatch;
  /** Names this process in the executions it owns. */
  runnerId: string;
}

/** The lock a process holds while it runs a change; free while the change is running means its runner died. */
export function runLockKey(changeId: number): bigint {
  return advisoryLockKey(`sluice:change-run:${changeId}`);
}

export class ChangeRunner {
  private readonly log: ExecutionLog;

  constructor(private readonly deps: RunnerDeps) {
    this.log = new ExecutionLog(deps.pool);
  }

  /** Runs a change that is `approved`. Returns at once (doing nothing) if another request or replica took it. */
  async run(changeId: number): Promise<void> {
    const { changes, pool } = this.deps;
    if (await this.heldByDrift(changeId)) return;
    if (!(await changes.transition(changeId, ["approved"], "running"))) return;
    await withAdvisoryLock(pool, runLockKey(changeId), async () => {
      const change = await changes.get(changeId);
      // Recovery on another replica may have declared it interrupted between the status move and the lock.
      if (change.status !== "running") return;
      await this.execute(change);
    });
  }

  /**
   * The last look before an approved change runs: a drift may have appeared since it was submitted or approved. A
   * change the drift gate holds stays approved and waits (ChangeWorkflow.releaseDriftHolds runs it once the drift is
   * resolved). True when it is held.
   */
  private async heldByDrift(changeId: number): Promise<boolean> {
    const { changes, registry, drift } = this.deps;
    const change = await changes.get(changeId);
    const database = registry.byId(change.databaseId);
    if (change.status !== "approved" || !database || driftGateAction(database.environment, change.type) !== "hold") return false;
    const driftId = await drift.openDrift(database);
    if (driftId === undefined) return false;
    await changes.holdForDrift(changeId, driftId, { kind: "held_by_drift" } satisfies StoredChangeEvent);
    await announce(this.deps, changeId);
    return true;
  }

  /**
   * Settles changes whose runner is gone: a change is `running` but nobody holds its run lock. It is interrupted, with
   * the statements that completed recorded as done and nothing re-run; or, when the runner died during a COMMIT that
   * the target says went through, it is done.
   */
  async recoverInterrupted(): Promise<number> {
    const { prisma, changes } = this.deps;
    const running = await prisma.change.findMany({ where: { status: "running" }, select: { id: true } });
    let recovered = 0;
    for (const { id } of running) {
      const result = await tryAdvisoryLock(this.deps.pool, runLockKey(id), async (): Promise<"done" | "interrupted" | undefined> => {
        const execution = await prisma.execution.findFirst({ where: { changeId: id, status: "running" }, orderBy: { attempt: "desc" } });
        let outcome = execution ? await this.commitOutcome(id, execution) : undefined;
        if (outcome === "committed") {
          if (!(await changes.transition(id, ["running"], "done", { kind: "done" } satisfies StoredChangeEvent))) return undefined;
          await this.markExecutionCommitted(execution!);
          return "done";
        }
        // Slack hears of the interruption with the execution's account of it (markExecutionInterrupted), or now when there is none.
        if (!(await changes.transition(id, ["running"], "interrupted", execution ? undefined : ({ kind: "interrupted" } satisfies StoredChangeEvent)))) return undefined;
        if (!execution) return "interrupted";
        // Declared interrupted first: a runner still alive (its lock connection lost) then has its account of the
        // statements ignored, and its session on the target is ended as the one of a dead runner.
        if (!execution.transactional) {
          await this.markExecutionInterrupted(id, execution, undefined, { cutShort: await this.settleCutShort(execution) });
          await this.snapshotLeftBy(id);
          return "interrupted";
        }
        const ended = await this.endLostSession(execution);
        if (ended && execution.committingAt) {
          // The COMMIT the lost session had under way is over now, one way or the other: the target may tell which.
          outcome = await this.commitOutcome(id, execution);
          if (outcome === "committed" && (await changes.transition(id, ["interrupted"], "done", { kind: "done" } satisfies StoredChangeEvent))) {
            await this.markExecutionCommitted(execution);
            return "done";
          }
        }
        await this.markExecutionInterrupted(id, execution, outcome, { ended });
        return "interrupted";
      });
      if (result.acquired && result.value) {
        recovered += 1;
        await announce(this.deps, id);
      }
    }
    return recovered;
  }

  /**
   * For a run cut short during its COMMIT, what the target says became of the transaction (PostgreSQL remembers it
   * by id); undefined when the run was not committing, the engine cannot tell, or the target cannot be reached.
   */
  private async commitOutcome(changeId: number, execution: Execution): Promise<"committed" | "aborted" | undefined> {
    if (!execution.transactional || !execution.committingAt || !execution.commitTxid) return undefined;
    const live = await this.liveTarget(changeId);
    if (!live) return undefined;
    try {
      const session = await live.engine.connect(live.target, { statementTimeoutMs: 10_000, lockTimeoutMs: 5_000 });
      try {
        return await session.transactionOutcome(execution.commitTxid);
      } finally {
        await session.close();
      }
    } catch (error) {
      this.deps.logger.warn({ changeId, err: error }, "could not ask the target whether an interrupted COMMIT went through");
      return undefined;
    }
  }

  /**
   * For a run one by one whose session was marked: the statement it had when its runner died, and what the target's
   * record says became of it (a statement the target still runs for the lost session is stopped first).
   */
  private async settleCutShort(execution: Execution): Promise<CutShort | undefined> {
    const { prisma, logger } = this.deps;
    if (!execution.sessionMark) return undefined;
    const claimed = await prisma.statementResult.findFirst({
      where: { executionId: execution.id, status: "running" },
      select: { id: true, statement: { select: { id: true, ordinal: true, sql: true } } },
    });
    if (!claimed) return undefined;
    const live = await this.liveTarget(execution.changeId);
    if (!live) return undefined;
    const done = await prisma.statementResult.findMany({
      where: { executionId: execution.id, status: "done" },
      orderBy: { id: "asc" },
      select: { statement: { select: { sql: true } } },
    });
    const settled = await live.engine
      .settleCutShort(live.target, execution.sessionMark as SessionMark, { done: done.map((d) => d.statement.sql), statement: claimed.statement.sql })
      .catch((error: unknown): CutShortOutcome => ({ ran: undefined, note: errorText(error) }));
    // The note may quote a server's error: it goes to Slack and the store, so any secret in it is masked.
    const outcome = { ...settled, note: redactSecrets(settled.note) };
    logger.info({ changeId: execution.changeId, statement: claimed.statement.ordinal + 1, ran: outcome.ran, note: outcome.note }, "settled the statement a crash cut short");
    return { resultId: claimed.id, statementId: claimed.statement.id, ordinal: claimed.statement.ordinal, outcome };
  }

  /**
   * For a transactional run: ends its session on the target if the target still has it (a long statement there goes
   * on after its client died, and its transaction holds its locks until it ends). True when it did.
   */
  private async endLostSession(execution: Execution): Promise<boolean> {
    if (!execution.sessionMark) return false;
    const live = await this.liveTarget(execution.changeId);
    if (!live) return false;
    const lost = await live.engine
      .endLostSession(live.target, execution.sessionMark as SessionMark)
      .catch((error: unknown): LostSession => ({ note: errorText(error) }));
    if ("note" in lost) this.deps.logger.warn({ changeId: execution.changeId, note: redactSecrets(lost.note) }, "could not end the session of an interrupted run");
    return "ended" in lost && lost.ended;
  }

  /** Where a change runs, as sluice.yml has it now; undefined when its instance is no longer there. */
  private async liveTarget(changeId: number): Promise<{ engine: Engine; target: ConnectionTarget } | undefined> {
    const { prisma, config, registry } = this.deps;
    const { type, database } = await prisma.change.findUniqueOrThrow({
      where: { id: changeId },
      select: { type: true, database: { select: { name: true, instance: { select: { name: true } } } } },
    });
    const instance = config.file.instances.find((i) => i.name === database.instance.name);
    if (!instance) return undefined;
    return { engine: engineFor(instance.engine), target: type === "create_database" ? registry.target(instance) : registry.target(instance, database.name) };
  }

  /** The COMMIT went through: the results written just before it stand. Its rollback was never prepared. */
  private async markExecutionCommitted(execution: Execution): Promise<void> {
    await this.deps.prisma.execution.update({
      where: { id: execution.id },
      data: {
        status: "done",
        finishedAt: new Date(),
        rollbackNote: `Sluice stopped while committing (runner ${execution.runnerId}); the database confirms the transaction committed. No rollback was prepared.`,
      },
    });
  }

  private async markExecutionInterrupted(
    changeId: number,
    execution: Execution,
    outcome: "committed" | "aborted" | undefined,
    { cutShort, ended = false }: { cutShort?: CutShort; ended?: boolean },
  ): Promise<void> {
    const { prisma } = this.deps;
    const interrupted =
      cutShort?.outcome.ran === false
        ? `Sluice stopped while this statement was running. ${cutShort.outcome.note}`
        : `Sluice stopped while this statement was running; check the database before retrying.${cutShort ? ` (The database could not tell: ${cutShort.outcome.note}.)` : ""}`;
    // A transaction that never reached COMMIT is undone by the server once its session ends (endLostSession ends one
    // the server still ran). One that had started its COMMIT went through or not as the target says; when it cannot
    // say, say so rather than guess.
    const error = !execution.transactional
      ? `Sluice stopped during the run (runner ${execution.runnerId}).${cutShort ? ` ${settledSentence(cutShort)}` : ""}`
      : outcome === "aborted"
        ? `Sluice stopped while committing (runner ${execution.runnerId}); the database confirms the transaction did not commit, so nothing was changed.`
        : execution.committingAt
          ? `Sluice stopped while committing (runner ${execution.runnerId}): the change may or may not be applied. Check the database, then Mark as done, or submit it again.`
          : `Sluice stopped during the run (runner ${execution.runnerId}); its transaction was not committed, so nothing was changed.${
              ended ? " The database was still running it for Sluice's lost session: Sluice ended that session, which rolled it back." : ""
            }`;
    const interruptedEvent: StoredChangeEvent = { kind: "interrupted" };
    await prisma.$transaction([
      prisma.execution.update({ where: { id: execution.id }, data: { status: "interrupted", finishedAt: new Date(), error } }),
      prisma.slackOutbox.create({ data: { subject: changeSubject(changeId), payload: interruptedEvent, availableAt: new Date() } }),
      ...(cutShort?.outcome.ran
        ? [
            prisma.statementResult.update({ where: { id: cutShort.resultId }, data: { status: "done", finishedAt: new Date() } }),
            prisma.statement.update({ where: { id: cutShort.statementId }, data: { status: "done" } }),
          ]
        : []),
      prisma.statementResult.updateMany({ where: { executionId: execution.id, status: "running" }, data: { status: "failed", error: interrupted, finishedAt: new Date() } }),
      prisma.statement.updateMany({ where: { changeId, status: "running" }, data: { status: "failed" } }),
      // The results written for a COMMIT that did not happen were undone with it.
      ...(outcome === "aborted"
        ? [
            prisma.statementResult.updateMany({ where: { executionId: execution.id, status: "done" }, data: { status: "rolled_back" } }),
            prisma.statement.updateMany({ where: { changeId, status: "done", results: { some: { executionId: execution.id } } }, data: { status: "rolled_back" } }),
          ]
        : []),
    ]);
  }

  private async execute(change: ChangeDetail): Promise<void> {
    const { prisma, config } = this.deps;
    const instance = config.file.instances.find((i) => i.name === change.database.instance.name);
    if (!instance) {
      await this.finishFailed(change, undefined, `Instance "${change.database.instance.name}" is no longer in sluice.yml.`);
      return;
    }
    const engine = engineFor(instance.engine);
    const pending = () => this.deps.changes.pendingStatements(change.id);
    // A rollback is Sluice's own row statements: it always runs in one transaction, with no need to read it twice.
    const transactional = change.type === "rollback" || (change.type !== "create_database" && (await allRunInTransaction(pending(), engine)));
    const execution = await prisma.execution.create({
      data: { changeId: change.id, attempt: change.executions.length + 1, runnerId: this.deps.runnerId, transactional },
    });
    const refusal = await this.outsideDatabase(change, instance, pending());
    if (refusal) {
      await this.finishFailed(change, execution.id, refusal);
      return;
    }

    const target = this.target(change, instance);
    let session: EngineSession;
    try {
      session = await engine.connect(
        target,
        { statementTimeoutMs: config.file.execution.statementTimeoutSeconds * 1000, lockTimeoutMs: config.file.execution.lockTimeoutSeconds * 1000 },
        { batches: transactional },
      );
    } catch (error) {
      await this.finishFailed(change, execution.id, `Cannot connect to ${change.database.name}: ${errorText(error)}`);
      return;
    }

    // Progress edits show the change as loaded when its run began (running); only the count moves.
    const progress = new RunProgress(change.tally.total, change.tally.done, (done, total) =>
      this.deps.notifier.notify(change, { kind: "progress", done, total }).catch((error: unknown) => {
        this.deps.logger.warn({ change: change.key, err: error }, "could not show the run's progress");
      }),
    );
    try {
      if (change.type === "schema") {
        await this.snapshot(session, change, "before").catch((error: unknown) => {
          this.deps.logger.warn({ change: change.key, err: error }, "could not take the schema snapshot before the change");
        });
      }
      await this.runStatements(change, execution.id, session, engine, pending, transactional, target, progress);
    } catch (error) {
      const failure = error instanceof StatementFailure ? error : new StatementFailure(undefined, errorText(error));
      await session.close();
      await progress.settled();
      // What a failed schema change left is Sluice's own doing, not drift: it becomes the reference too, so a retry is
      // not held by the statements that did run.
      if (change.type === "schema") await this.snapshotAfter(change, instance, engine);
      await this.finishFailed(change, execution.id, failure.message);
      return;
    }
    await session.close();
    await progress.settled();
    await this.finishDone(change, execution.id, instance, engine);
  }

  /**
   * The boundary checked again right before anything runs (it was checked when the change was submitted): a statement
   * that could reach outside the change's database fails the change, and nothing runs. CREATE DATABASE is Sluice's own.
   */
  private async outsideDatabase(change: ChangeDetail, instance: InstanceConfig, pages: AsyncIterable<StoredStatement[]>): Promise<string | undefined> {
    if (change.type === "create_database") return undefined;
    const database = { name: change.database.name, label: change.database.name, instance: { engine: instance.engine }, environment: change.database.environment };
    const statements = async function* () {
      for await (const page of pages) for (const statement of page) yield { text: statement.sql, line: statement.line };
    };
    const breach = await boundaryBreach(database, statements());
    return breach && `Refused before running: ${boundaryMessage(database, breach, "A change for")} Nothing was run.`;
  }

  private target(change: ChangeDetail, instance: InstanceConfig) {
    return change.type === "create_database" ? this.deps.registry.target(instance) : this.deps.registry.target(instance, change.database.name);
  }

  private async runStatements(
    change: ChangeDetail,
    executionId: number,
    session: EngineSession,
    engine: Engine,
    pending: () => AsyncIterable<StoredStatement[]>,
    transactional: boolean,
    target: ConnectionTarget,
    progress: RunProgress,
  ): Promise<void> {
    const run = { change, executionId, session, pending, progress, log: this.log };
    await this.markSession(session, executionId);
    if (!transactional) {
      await runOneByOne(run);
      return;
    }
    // Before a rollback runs, every row must still hold what the change left, or an approver must force it.
    const guard = change.type === "rollback" && !(await this.isForcedRollback(change.id)) ? new GuardCheck(engine.name) : undefined;
    // Before BEGIN: a MySQL prior backup creates its tables (DDL would commit the transaction) and sets its isolation.
    const recorder = change.type === "data" || change.type === "rollback" ? await this.startRecorder(change, session, engine, target) : undefined;
    await session.begin();
    await runInTransaction(run, recorder, guard);
    if (recorder) await this.storeRollback(change, executionId, recorder);
  }

  /** The session as the target can later be asked about it, kept so that recovery can end it and settle a statement. */
  private async markSession(session: EngineSession, executionId: number): Promise<void> {
    const mark = await session.mark().catch(() => undefined);
    if (mark) await this.log.recordSessionMark(executionId, mark);
  }

  private async startRecorder(change: ChangeDetail, session: EngineSession, engine: Engine, target: ConnectionTarget): Promise<DataChangeRecorder> {
    const { rollback } = this.deps.config.file;
    const statements = async function* (pages: AsyncIterable<StoredStatement[]>) {
      for await (const page of pages) for (const statement of page) yield statement.sql;
    };
    return startRecording(engine.name, session, target, { changeKey: change.key, rowLimit: rollback.rowLimit }, rollback, statements(this.deps.changes.pendingStatements(change.id)));
  }

  /** After COMMIT: the rollback the recorder prepared (or why there is none) is kept with the execution. */
  private async storeRollback(change: ChangeDetail, executionId: number, recorder: DataChangeRecorder): Promise<void> {
    const prepared = await recorder.finish();
    if (!prepared.available) {
      await this.deps.prisma.execution.update({ where: { id: executionId }, data: { rollbackNote: prepared.reason } });
      return;
    }
    const details = prepared.details as { binlogStart?: unknown; binlogEnd?: unknown; threadId?: unknown; gtid?: unknown; backupTables?: unknown };
    await this.log.recordRollback(executionId, {
      chunks: prepared.chunks,
      forcedChunks: prepared.forcedChunks,
      rows: prepared.rowCount,
      threadId: details.threadId === undefined ? undefined : String(details.threadId),
      gtid: details.gtid === undefined ? undefined : String(details.gtid),
      binlogStart: details.binlogStart === undefined ? undefined : JSON.stringify(details.binlogStart),
      binlogEnd: details.binlogEnd === undefined ? undefined : JSON.stringify(details.binlogEnd),
      backupTables: Array.isArray(details.backupTables) ? (details.backupTables as string[]) : undefined,
    });
    this.deps.logger.info({ change: change.key, rows: prepared.rowCount }, "rollback prepared");
  }

  private async isForcedRollback(changeId: number): Promise<boolean> {
    const rollback = await this.deps.prisma.rollback.findUnique({ where: { rollbackChangeId: changeId } });
    return rollback?.forced ?? false;
  }

  private async snapshot(session: EngineSession, change: ChangeDetail, kind: SnapshotKind): Promise<void> {
    const { schema, fingerprint } = await session.schemaSnapshot();
    await recordSnapshot(this.deps.prisma, change.databaseId, kind, schema, fingerprint, change.id);
  }

  /** After a schema change was cut short one by one: what its statements left is Sluice's doing, not drift. */
  private async snapshotLeftBy(changeId: number): Promise<void> {
    const change = await this.deps.changes.get(changeId);
    const instance = this.deps.config.file.instances.find((i) => i.name === change.database.instance.name);
    if (change.type === "schema" && instance) await this.snapshotAfter(change, instance, engineFor(instance.engine));
  }

  private async snapshotAfter(change: ChangeDetail, instance: InstanceConfig, engine: Engine): Promise<void> {
    try {
      const session = await engine.connect(this.deps.registry.target(instance, change.database.name), { statementTimeoutMs: 60_000, lockTimeoutMs: 5_000 });
      try {
        await this.snapshot(session, change, "after");
      } finally {
        await session.close();
      }
    } catch (error) {
      this.deps.logger.warn({ change: change.key, err: error }, "could not take the schema snapshot after the change");
    }
  }

  private async finishDone(change: ChangeDetail, executionId: number, instance: InstanceConfig, engine: Engine): Promise<void> {
    const { prisma, registry } = this.deps;
    if (change.type === "create_database") {
      await prisma.database.update({ where: { id: change.databaseId }, data: { pending: false } });
      await registry.reload(prisma);
    }
    if (change.type === "schema" || change.type === "create_database") await this.snapshotAfter(change, instance, engine);
    // Conditional: recovery may have marked this execution interrupted meanwhile, and its account stands.
    await prisma.execution.updateMany({ where: { id: executionId, status: "running" }, data: { status: "done", finishedAt: new Date() } });
    if (await this.deps.changes.transition(change.id, ["running"], "done", { kind: "done" } satisfies StoredChangeEvent)) await announce(this.deps, change.id);
  }

  private async finishFailed(change: ChangeDetail, executionId: number | undefined, error: string): Promise<void> {
    const { prisma } = this.deps;
    if (executionId !== undefined) {
      await prisma.execution.updateMany({ where: { id: executionId, status: "running" }, data: { status: "failed", finishedAt: new Date(), error } });
    }
    if (await this.deps.changes.transition(change.id, ["running"], "failed", { kind: "failed", error } satisfies StoredChangeEvent)) await announce(this.deps, change.id);
  }
}

/** What became of the statement a crash cut short, for the execution's account and the thread. */
function settledSentence({ ordinal, outcome }: CutShort): string {
  const statement = `Statement ${ordinal + 1}`;
  if (outcome.ran === true) return `${statement} is recorded as done: ${outcome.note}`;
  if (outcome.ran === false) return `${statement}: ${outcome.note}`;
  return `Whether statement ${ordinal + 1} took effect is unknown (${outcome.note}): check the database before retrying.`;
}

/** Whether every statement can run inside one transaction (read page by page: a change can hold 100,000). */
async function allRunInTransaction(pages: AsyncIterable<StoredStatement[]>, engine: Engine): Promise<boolean> {
  for await (const page of pages) if (!page.every((statement) => engine.runsInTransaction(statement.sql))) return false;
  return true;
}
