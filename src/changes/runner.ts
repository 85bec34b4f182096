// Runs an approved change against its database, statement by statement, recording every step in the
// store before and after it happens, so a crash leaves an exact account and nothing runs twice.
import type pg from "pg";
import type { Config } from "../config/load.ts";
import type { InstanceConfig } from "../config/schema.ts";
import { engineFor } from "../engines/index.ts";
import type { ConnectionTarget, Engine, EngineSession, StatementOutcome } from "../engines/engine.ts";
import { redactSecrets, type Logger } from "../logger.ts";
import type { Registry } from "../projects/registry.ts";
import { advisoryLockKey, tryAdvisoryLock, withAdvisoryLock } from "../store/advisory-lock.ts";
import type { ChangeDetail, ChangeRepository } from "../store/changes.ts";
import type { PrismaClient, SnapshotKind } from "../store/generated/client.ts";
import { guardHeld, startRecording, verifyRollback, type DataChangeRecorder } from "../rollback/index.ts";
import { recordSnapshot } from "../drift/snapshots.ts";
import type { ChangeNotifier } from "./notifier.ts";

export interface RunnerDeps {
  prisma: PrismaClient;
  pool: pg.Pool;
  changes: ChangeRepository;
  registry: Registry;
  config: Config;
  logger: Logger;
  notifier: ChangeNotifier;
  /** Names this process in the executions it owns. */
  runnerId: string;
}

const PROGRESS_INTERVAL_MS = 1_000;

/** The lock a process holds while it runs a change; free while the change is running means its runner died. */
export function runLockKey(changeId: number): bigint {
  return advisoryLockKey(`sluice:change-run:${changeId}`);
}

class StatementFailure extends Error {
  constructor(
    readonly statementId: number | undefined,
    message: string,
  ) {
    super(message);
  }
}

export class ChangeRunner {
  constructor(private readonly deps: RunnerDeps) {}

  /** Runs a change that is `approved`. Returns at once (doing nothing) if another request or replica took it. */
  async run(changeId: number): Promise<void> {
    const { changes, pool } = this.deps;
    if (!(await changes.transition(changeId, ["approved"], "running"))) return;
    await withAdvisoryLock(pool, runLockKey(changeId), async () => {
      const change = await changes.get(changeId);
      // Recovery on another replica may have declared it interrupted between the status move and the lock.
      if (change.status !== "running") return;
      await this.execute(change);
    });
  }

  /**
   * Marks changes whose runner is gone as interrupted: a change is `running` but nobody holds its run lock.
   * Statements that completed stay recorded as done; nothing is re-run.
   */
  async recoverInterrupted(): Promise<number> {
    const { prisma, changes } = this.deps;
    const running = await prisma.change.findMany({ where: { status: "running" }, select: { id: true } });
    let recovered = 0;
    for (const { id } of running) {
      const result = await tryAdvisoryLock(this.deps.pool, runLockKey(id), async () => {
        if (!(await changes.transition(id, ["running"], "interrupted"))) return false;
        await this.markExecutionInterrupted(id);
        return true;
      });
      if (result.acquired && result.value) {
        recovered += 1;
        await this.notify(id, { kind: "interrupted" });
      }
    }
    return recovered;
  }

  private async markExecutionInterrupted(changeId: number): Promise<void> {
    const { prisma } = this.deps;
    const execution = await prisma.execution.findFirst({ where: { changeId, status: "running" }, orderBy: { attempt: "desc" } });
    if (!execution) return;
    const interrupted = "Sluice stopped while this statement was running; check the database before retrying.";
    // A transaction that never reached COMMIT was undone by the server when Sluice's connection dropped.
    // One that had started its COMMIT may or may not have been applied: say so rather than guess.
    const error = !execution.transactional
      ? `Sluice stopped during the run (runner ${execution.runnerId}).`
      : execution.committingAt
        ? `Sluice stopped while committing (runner ${execution.runnerId}): the change may or may not be applied. Check the database, then Mark as done, or submit it again.`
        : `Sluice stopped during the run (runner ${execution.runnerId}); its transaction was not committed, so nothing was changed.`;
    await prisma.$transaction([
      prisma.execution.update({ where: { id: execution.id }, data: { status: "interrupted", finishedAt: new Date(), error } }),
      prisma.statementResult.updateMany({ where: { executionId: execution.id, status: "running" }, data: { status: "failed", error: interrupted, finishedAt: new Date() } }),
      prisma.statement.updateMany({ where: { changeId, status: "running" }, data: { status: "failed" } }),
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
    const pending = change.statements.filter((statement) => statement.status !== "done");
    const transactional = change.type !== "create_database" && pending.every((statement) => engine.runsInTransaction(statement.sql));
    const execution = await prisma.execution.create({
      data: { changeId: change.id, attempt: change.executions.length + 1, runnerId: this.deps.runnerId, transactional },
    });

    let session: EngineSession;
    try {
      session = await engine.connect(this.target(change, instance), {
        statementTimeoutMs: config.file.execution.statementTimeoutSeconds * 1000,
        lockTimeoutMs: config.file.execution.lockTimeoutSeconds * 1000,
      });
    } catch (error) {
      await this.finishFailed(change, execution.id, `Cannot connect to ${change.database.name}: ${message(error)}`);
      return;
    }

    const target = this.target(change, instance);
    try {
      if (change.type === "schema") {
        await this.snapshot(session, change, "before").catch((error: unknown) => {
          this.deps.logger.warn({ change: change.key, err: error }, "could not take the schema snapshot before the change");
        });
      }
      await this.runStatements(change, execution.id, session, engine, pending, transactional, target);
    } catch (error) {
      const failure = error instanceof StatementFailure ? error : new StatementFailure(undefined, message(error));
      await this.finishFailed(change, execution.id, failure.message);
      return;
    } finally {
      await session.close();
    }
    await this.finishDone(change, execution.id, instance, engine);
  }

  private target(change: ChangeDetail, instance: InstanceConfig) {
    return change.type === "create_database" ? this.deps.registry.target(instance) : this.deps.registry.target(instance, change.database.name);
  }

  private async runStatements(
    change: ChangeDetail,
    executionId: number,
    session: EngineSession,
    engine: Engine,
    pending: ChangeDetail["statements"],
    transactional: boolean,
    target: ConnectionTarget,
  ): Promise<void> {
    const progress = this.progressReporter(change, change.statements.length - pending.length);
    if (!transactional) {
      await this.runOneByOne(change, executionId, session, pending, progress);
      return;
    }
    const guarded = change.type === "rollback" && !(await this.isForcedRollback(change.id));
    if (guarded) await this.verifyRowsUnchanged(change, session, engine);
    await session.begin();
    const recorder = change.type === "data" || change.type === "rollback" ? await this.startRecorder(change, session, engine, target) : undefined;
    await this.runInTransaction(change, executionId, session, pending, progress, recorder, guarded);
    if (recorder) await this.storeRollback(change, executionId, recorder);
  }

  /** Progress for the root message, at most once a second and always at the end. */
  private progressReporter(change: ChangeDetail, alreadyDone: number): () => Promise<void> {
    const total = change.statements.length;
    let done = alreadyDone;
    let last = 0;
    return async () => {
      done += 1;
      if (Date.now() - last < PROGRESS_INTERVAL_MS && done !== total) return;
      last = Date.now();
      await this.notify(change.id, { kind: "progress", done, total });
    };
  }

  /**
   * Statements that commit on their own (MySQL DDL, CONCURRENTLY): each one's start and end are written to the
   * store around it, so a crash leaves the exact statements that completed.
   */
  private async runOneByOne(change: ChangeDetail, executionId: number, session: EngineSession, pending: ChangeDetail["statements"], progress: () => Promise<void>): Promise<void> {
    for (const statement of pending) {
      // Only while the change is still `running`: if this runner's lock connection was lost, recovery (here or on
      // a replica) may have declared it interrupted, and a retry may run it; this runner must not go on.
      const resultId = await this.deps.changes.claimStatement(executionId, statement.id);
      if (resultId === undefined) throw new StatementFailure(undefined, `${change.key} is no longer running here (its run lock was lost); statement ${statement.ordinal + 1} was not started.`);
      let outcome: StatementOutcome;
      try {
        outcome = await session.execute(statement.sql);
      } catch (error) {
        const text = message(error);
        await this.deps.changes.finishStatement(resultId, statement.id, { error: text });
        throw new StatementFailure(statement.id, `Statement ${statement.ordinal + 1} (line ${statement.line}) failed: ${text}`);
      }
      await this.deps.changes.finishStatement(resultId, statement.id, outcome);
      await progress();
    }
  }

  /**
   * Statements in one transaction: nothing is durable until COMMIT, so their results are written to the store in
   * one go after it (or after the rollback that a failure causes). A crash before that leaves the execution
   * running with no results, which recovery turns into interrupted with nothing done: exactly what the database has.
   */
  private async runInTransaction(
    change: ChangeDetail,
    executionId: number,
    session: EngineSession,
    pending: ChangeDetail["statements"],
    progress: () => Promise<void>,
    recorder: DataChangeRecorder | undefined,
    guarded: boolean,
  ): Promise<void> {
    const { prisma } = this.deps;
    const ran: Array<{ statementId: number; rowsAffected: number; durationMs: number; startedAt: Date; finishedAt: Date }> = [];
    const undo = async (failed?: { statementId: number; error: string; startedAt: Date }) => {
      await session.rollback().catch(() => {});
      await prisma.$transaction([
        prisma.statementResult.createMany({
          data: [
            ...ran.map((r) => ({ executionId, statementId: r.statementId, status: "rolled_back" as const, rowsAffected: r.rowsAffected, durationMs: r.durationMs, startedAt: r.startedAt, finishedAt: r.finishedAt })),
            ...(failed ? [{ executionId, statementId: failed.statementId, status: "failed" as const, error: failed.error, startedAt: failed.startedAt, finishedAt: new Date() }] : []),
          ],
        }),
        prisma.statement.updateMany({ where: { id: { in: ran.map((r) => r.statementId) } }, data: { status: "rolled_back" } }),
        ...(failed ? [prisma.statement.update({ where: { id: failed.statementId }, data: { status: "failed" } })] : []),
      ]);
    };
    for (const statement of pending) {
      const startedAt = new Date();
      try {
        const outcome = recorder ? await recorder.execute(statement.sql, statement.ordinal) : await session.execute(statement.sql);
        if (guarded && !guardHeld(outcome)) {
          throw new Error("the row this statement restores was changed after the rollback was checked; nothing was rolled back");
        }
        ran.push({ statementId: statement.id, rowsAffected: outcome.rowsAffected, durationMs: Math.round(outcome.durationMs), startedAt, finishedAt: new Date() });
      } catch (error) {
        const text = message(error);
        await undo({ statementId: statement.id, error: text, startedAt });
        throw new StatementFailure(statement.id, `Statement ${statement.ordinal + 1} (line ${statement.line}) failed: ${text}`);
      }
      await progress();
    }
    // A run whose lock was lost may have been declared interrupted meanwhile: then nothing may be committed.
    if ((await prisma.change.count({ where: { id: change.id, status: "running" } })) === 0) {
      await undo();
      throw new StatementFailure(undefined, `${change.key} is no longer running here (its run lock was lost); its transaction was rolled back, not committed.`);
    }
    // The results are written first, with the moment the COMMIT starts: a crash in between is then reported as
    // "may or may not be applied" rather than guessed either way.
    const ids = ran.map((r) => r.statementId);
    await prisma.$transaction([
      prisma.statementResult.createMany({ data: ran.map((r) => ({ executionId, statementId: r.statementId, status: "done" as const, rowsAffected: r.rowsAffected, durationMs: r.durationMs, startedAt: r.startedAt, finishedAt: r.finishedAt })) }),
      prisma.statement.updateMany({ where: { id: { in: ids } }, data: { status: "done" } }),
      prisma.execution.update({ where: { id: executionId }, data: { committingAt: new Date() } }),
    ]);
    try {
      await session.commit();
    } catch (error) {
      await session.rollback().catch(() => {});
      await prisma.$transaction([
        prisma.statementResult.updateMany({ where: { executionId }, data: { status: "rolled_back" } }),
        prisma.statement.updateMany({ where: { id: { in: ids } }, data: { status: "rolled_back" } }),
        prisma.execution.update({ where: { id: executionId }, data: { committingAt: null } }),
      ]);
      throw new StatementFailure(undefined, `COMMIT failed, nothing was changed: ${message(error)}`);
    }
  }

  private async startRecorder(change: ChangeDetail, session: EngineSession, engine: Engine, target: ConnectionTarget): Promise<DataChangeRecorder> {
    return startRecording(engine.name, session, target, { changeKey: change.key, rowLimit: this.deps.config.file.rollback.rowLimit });
  }

  /** After COMMIT: the rollback the recorder prepared (or why there is none) is kept with the execution. */
  private async storeRollback(change: ChangeDetail, executionId: number, recorder: DataChangeRecorder): Promise<void> {
    const prepared = await recorder.finish();
    if (!prepared.available) {
      await this.deps.prisma.execution.update({ where: { id: executionId }, data: { rollbackNote: prepared.reason } });
      return;
    }
    const details = prepared.details as { binlogStart?: unknown; binlogEnd?: unknown; threadId?: unknown; gtid?: unknown; backupTables?: unknown };
    await this.deps.prisma.execution.update({
      where: { id: executionId },
      data: {
        rollbackSql: prepared.script,
        rollbackForcedSql: prepared.forcedScript,
        rollbackRows: prepared.rowCount,
        threadId: details.threadId === undefined ? undefined : String(details.threadId),
        gtid: details.gtid === undefined ? undefined : String(details.gtid),
        binlogStart: details.binlogStart === undefined ? undefined : JSON.stringify(details.binlogStart),
        binlogEnd: details.binlogEnd === undefined ? undefined : JSON.stringify(details.binlogEnd),
        backupTables: Array.isArray(details.backupTables) ? (details.backupTables as string[]) : undefined,
      },
    });
    this.deps.logger.info({ change: change.key, rows: prepared.rowCount }, "rollback prepared");
  }

  private async isForcedRollback(changeId: number): Promise<boolean> {
    const rollback = await this.deps.prisma.rollback.findUnique({ where: { rollbackChangeId: changeId } });
    return rollback?.forced ?? false;
  }

  /** Before a rollback runs: every row must still hold what the change left, or an approver must force it. */
  private async verifyRowsUnchanged(change: ChangeDetail, session: EngineSession, engine: Engine): Promise<void> {
    const verification = await verifyRollback(engine.name, session, change.sql);
    if (verification.changedRows.length === 0) return;
    const shown = verification.changedRows.slice(0, 20).join("\n");
    const more = verification.changedRows.length > 20 ? `\n…and ${verification.changedRows.length - 20} more` : "";
    throw new StatementFailure(
      undefined,
      `${verification.changedRows.length} row(s) changed since ${change.rollbackOf?.key ?? "the change"} ran, so the rollback did not run:\n${shown}${more}\nAn approver can force it with "Force rollback", which restores those rows too.`,
    );
  }

  private async snapshot(session: EngineSession, change: ChangeDetail, kind: SnapshotKind): Promise<void> {
    const [schema, fingerprint] = await Promise.all([session.dumpSchema(), session.schemaFingerprint()]);
    await recordSnapshot(this.deps.prisma, change.databaseId, kind, schema, fingerprint, change.id);
  }

  private async finishDone(change: ChangeDetail, executionId: number, instance: InstanceConfig, engine: Engine): Promise<void> {
    const { prisma, registry, logger } = this.deps;
    if (change.type === "create_database") {
      await prisma.database.update({ where: { id: change.databaseId }, data: { pending: false } });
      await registry.reload(prisma);
    }
    if (change.type === "schema" || change.type === "create_database") {
      try {
        const session = await engine.connect(registry.target(instance, change.database.name), { statementTimeoutMs: 60_000, lockTimeoutMs: 5_000 });
        try {
          await this.snapshot(session, change, "after");
        } finally {
          await session.close();
        }
      } catch (error) {
        logger.warn({ change: change.key, err: error }, "could not take the schema snapshot after the change");
      }
    }
    // Conditional: recovery may have marked this execution interrupted meanwhile, and its account stands.
    await prisma.execution.updateMany({ where: { id: executionId, status: "running" }, data: { status: "done", finishedAt: new Date() } });
    if (await this.deps.changes.transition(change.id, ["running"], "done")) await this.notify(change.id, { kind: "done" });
  }

  private async finishFailed(change: ChangeDetail, executionId: number | undefined, error: string): Promise<void> {
    const { prisma } = this.deps;
    if (executionId !== undefined) {
      await prisma.execution.updateMany({ where: { id: executionId, status: "running" }, data: { status: "failed", finishedAt: new Date(), error } });
    }
    if (await this.deps.changes.transition(change.id, ["running"], "failed")) await this.notify(change.id, { kind: "failed", error });
  }

  private async notify(changeId: number, event: Parameters<ChangeNotifier["notify"]>[1]): Promise<void> {
    try {
      await this.deps.notifier.notify(await this.deps.changes.get(changeId), event);
    } catch (error) {
      this.deps.logger.error({ changeId, event: event.kind, err: error }, "could not tell Slack about the change");
    }
  }
}

function message(error: unknown): string {
  return redactSecrets(error instanceof Error ? error.message : String(error));
}
