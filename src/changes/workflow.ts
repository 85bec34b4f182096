// The change workflow: submit → review → (auto-)approve or reject → run → done | failed | interrupted.
// Every status move is a compare-and-set in the store, so double clicks, Slack retries and replicas are harmless.
import { engineFor, type EngineName } from "../engines/index.ts";
import type { SqlStatement } from "../engines/engine.ts";
import { environmentsServedBy } from "../projects/registry.ts";
import { forcedChunk } from "../rollback/index.ts";
import { prismaQueries, prismaRows } from "../store/plain-sql.ts";
import { rollbackChunks, SQL_FROM_ROLLBACK_SCRIPT, statementsOfScript } from "../store/rollback-scripts.ts";
import { insertStatements, type ChangeDetail, type ChangeStatus, type NewChange, type NewStatement } from "../store/changes.ts";
import { ChangeStoredError } from "../store/errors.ts";
import type { Decision } from "../store/generated/client.ts";
import { driftGateAction, driftRefusal } from "./drift-gate.ts";
import { announce, type StoredChangeEvent } from "./notifier.ts";
import { mayDecide, type ApproverDirectory } from "./policy.ts";
import { ChangeInputError, prepareChangeWithinDatabase, type ChangeRequest } from "./prepare.ts";
import { reviewForDatabase } from "./review-change.ts";
import { ChangeRunner, type RunnerDeps } from "./runner.ts";

export interface WorkflowDeps extends RunnerDeps {
  approvers: ApproverDirectory;
}

interface DecisionMove {
  from: ChangeStatus[];
  to: ChangeStatus;
  /** Decisions that approve nothing new may be made by an approver on their own change. */
  selfAllowed?: boolean;
  decision: Decision;
  reason: string;
  event: StoredChangeEvent;
  run?: boolean;
  check?: (change: ChangeDetail) => Promise<string | undefined> | string | undefined;
}

/** The answer to someone who clicked: either it happened, or why not (shown only to them). */
export type DecisionOutcome = { ok: true; change: ChangeDetail } | { ok: false; reason: string };

export interface NewDatabaseRequest {
  name: string;
  instance: string;
  environment: string;
  project: string;
  description: string;
  requesterId: string;
  requestKey?: string;
}

const DATABASE_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

/** Why a new database's name is refused, or undefined when it is fine. */
export function newDatabaseNameProblem(name: string): string | undefined {
  return DATABASE_NAME.test(name) ? undefined : "A database name starts with a letter or _, and has only letters, digits and _ (at most 63).";
}

const statusWords: Record<ChangeStatus, string> = {
  review: "in review",
  awaiting_approval: "awaiting approval",
  approved: "approved",
  running: "running",
  done: "done",
  failed: "failed",
  interrupted: "interrupted",
  rejected: "rejected",
  canceled: "canceled",
};

export class ChangeWorkflow {
  readonly runner: ChangeRunner;
  private readonly running = new Set<Promise<void>>();

  constructor(private readonly deps: WorkflowDeps) {
    this.runner = new ChangeRunner(deps);
  }

  /** Validates, reviews and stores a change, then lets the environment's policy decide what happens next. */
  async submit(request: ChangeRequest): Promise<{ change: ChangeDetail; created: boolean }> {
    const prepared = await prepareChangeWithinDatabase(this.deps.registry, this.deps.config.file.execution, request);
    const { database, statements } = prepared;
    const report = await reviewForDatabase(this.deps.config, this.deps.registry, database, statements, { dataChange: request.type === "data" });
    const gate = driftGateAction(database.environment, request.type);
    const driftId = gate === "skip" ? undefined : await this.deps.drift.openDrift(database);
    const held = gate === "hold" && driftId !== undefined;
    return this.store(
      {
        projectId: database.project.id,
        projectKey: database.project.key,
        databaseId: database.id,
        type: request.type,
        sql: prepared.request.sql,
        description: request.description.trim(),
        requesterId: request.requesterId,
        requestKey: request.requestKey,
        statements: statements.map(asNewStatement),
        review: {
          errorCount: report.errorCount,
          warningCount: report.warningCount,
          findings: report.findings.map((f) => ({ ...f, statementOrdinal: f.statementOrdinal })),
        },
        drift: driftId === undefined ? undefined : { anomalyId: driftId, held },
      },
      // A held change waits for the drift even where the environment approves by itself; releaseDriftHolds lets it go.
      database.environment.autoApprove && report.errorCount === 0 && !held,
    );
  }

  /** `/db newdb`: a create-database change on an instance, registering the database in a project once it runs. */
  async submitNewDatabase(request: NewDatabaseRequest): Promise<{ change: ChangeDetail; created: boolean }> {
    const { config, prisma } = this.deps;
    const nameProblem = newDatabaseNameProblem(request.name);
    if (nameProblem) throw new ChangeInputError("database", nameProblem);
    const instance = config.file.instances.find((i) => i.name === request.instance);
    const environment = config.file.environments.find((e) => e.name === request.environment);
    const project = config.file.projects.find((p) => p.key === request.project);
    if (!instance) throw new ChangeInputError("database", `Unknown instance "${request.instance}".`);
    if (!environment) throw new ChangeInputError("database", `Unknown environment "${request.environment}".`);
    if (!project) throw new ChangeInputError("database", `Unknown project "${request.project}".`);
    const served = environmentsServedBy(config.file, instance);
    if (!served.includes(environment.name)) {
      throw new ChangeInputError(
        "database",
        `Instance ${instance.name} does not serve ${environment.name} (it serves ${served.join(", ") || "no environment"}), so a ${environment.name} database cannot be created there. Nothing was submitted.`,
      );
    }
    const [instanceRow, environmentRow, projectRow] = await Promise.all([
      prisma.instance.findUniqueOrThrow({ where: { name: instance.name } }),
      prisma.environment.findUniqueOrThrow({ where: { name: environment.name } }),
      prisma.project.findUniqueOrThrow({ where: { key: project.key } }),
    ]);
    const existing = await prisma.database.findUnique({ where: { instanceId_name: { instanceId: instanceRow.id, name: request.name } } });
    if (existing && !existing.pending) throw new ChangeInputError("database", `${request.name} is already registered on ${instance.name}.`);
    const database =
      existing ??
      (await prisma.database.create({
        data: { name: request.name, instanceId: instanceRow.id, environmentId: environmentRow.id, projectId: projectRow.id, pending: true },
      }));
    const sql = engineFor(instance.engine).createDatabaseStatement(request.name);
    return this.store(
      {
        projectId: projectRow.id,
        projectKey: project.key,
        databaseId: database.id,
        type: "create_database",
        sql,
        description: request.description.trim(),
        requesterId: request.requesterId,
        requestKey: request.requestKey,
        statements: [{ sql, line: 1, column: 1 }],
        review: { errorCount: 0, warningCount: 0, findings: [] },
      },
      environment.autoApprove,
    );
  }

  /**
   * Stores the change with its policy approval and what Slack is to be told of both, in one transaction; then tells
   * Slack and starts an approved change. Once the change is stored nothing here fails its submission: a Slack that
   * does not answer leaves the messages in the outbox, and a store that does not answer when the change is read
   * back is a ChangeStoredError (the change is stored; its run and messages go on).
   */
  private async store(input: NewChange, autoApprove: boolean): Promise<{ change: ChangeDetail; created: boolean }> {
    const submitted: StoredChangeEvent = { kind: "submitted" };
    const approved: StoredChangeEvent = { kind: "approved", by: "sluice", automatic: true };
    let result: { change: ChangeDetail; created: boolean };
    try {
      result = await this.deps.changes.create(
        input,
        autoApprove ? "approved" : "awaiting_approval",
        autoApprove
          ? { approval: { userId: "sluice", decision: "approve", reason: "auto-approved by environment policy" }, announce: [submitted, approved] }
          : { announce: [submitted] },
      );
    } catch (error) {
      if (error instanceof ChangeStoredError) await this.afterStored(error.changeId, autoApprove);
      throw error;
    }
    if (result.created) await this.afterStored(result.change.id, autoApprove);
    return result;
  }

  private async afterStored(changeId: number, approved: boolean): Promise<void> {
    await announce(this.deps, changeId);
    if (approved) this.startRun(changeId);
  }

  async approve(changeId: number, userId: string, override?: string): Promise<DecisionOutcome> {
    const reason = override?.trim() ?? "";
    return this.decide(changeId, userId, {
      from: ["awaiting_approval"],
      to: "approved",
      decision: reason ? "override" : "approve",
      reason,
      event: { kind: "approved", by: userId, override: reason || undefined },
      run: true,
      check: async (change) => {
        const errors = change.reviews[0]?.errorCount ?? 0;
        if (errors > 0 && !reason) {
          return `The review found ${errors} error-level finding${errors === 1 ? "" : "s"}. Fix the SQL and resubmit, or use *Override and approve* with a reason.`;
        }
        return this.driftHold(change);
      },
    });
  }

  async reject(changeId: number, userId: string, reason?: string): Promise<DecisionOutcome> {
    return this.decide(changeId, userId, {
      from: ["awaiting_approval"],
      to: "rejected",
      selfAllowed: true,
      decision: "reject",
      reason: reason?.trim() ?? "",
      event: { kind: "rejected", by: userId, reason },
    });
  }

  /** Runs a failed or interrupted change again from its first statement that is not done. */
  async retry(changeId: number, userId: string): Promise<DecisionOutcome> {
    return this.decide(changeId, userId, {
      from: ["failed", "interrupted"],
      to: "approved",
      selfAllowed: true,
      decision: "approve",
      reason: "retry from the failed statement",
      event: { kind: "retried", by: userId },
      run: true,
    });
  }

  /** Closes a failed or interrupted change as done, e.g. after someone finished it by hand. */
  async markDone(changeId: number, userId: string): Promise<DecisionOutcome> {
    return this.decide(changeId, userId, {
      from: ["failed", "interrupted"],
      to: "done",
      selfAllowed: true,
      decision: "mark_done",
      reason: "marked as done by hand",
      event: { kind: "marked_done", by: userId },
    });
  }

  /**
   * One decision: the user's right, the change's status, any extra check, then the compare-and-set move, the
   * recorded approval, the note in Slack, and the run when the decision starts one.
   */
  private async decide(changeId: number, userId: string, move: DecisionMove): Promise<DecisionOutcome> {
    const checked = await this.changeToDecide(changeId, userId, move.from, move.selfAllowed);
    if ("refusal" in checked) return { ok: false, reason: checked.refusal };
    const { change } = checked;
    const refusal = await move.check?.(change);
    if (refusal) return { ok: false, reason: refusal };
    const approval = await this.deps.changes.decide(changeId, move.from, move.to, { userId, decision: move.decision, reason: move.reason }, { announce: move.event });
    if (!approval) return { ok: false, reason: staleReason(await this.deps.changes.get(changeId)) };
    // The compare-and-set made these the only changes to the row since it was read: no need to read it again.
    const decided: ChangeDetail = { ...change, status: move.to, updatedAt: new Date(), approvals: [...change.approvals, approval] };
    await announce(this.deps, changeId);
    if (move.run) this.startRun(changeId);
    return { ok: true, change: decided };
  }

  /**
   * "Preview rollback" on a done data change: a rollback change built from the rollback prepared when it ran,
   * posted for review and approval like any change (never run without an approver's click). Clicking twice
   * gives the same open rollback.
   */
  async prepareRollback(sourceChangeId: number, userId: string): Promise<DecisionOutcome & { created?: boolean }> {
    const { prisma, changes, registry } = this.deps;
    const source = await changes.get(sourceChangeId);
    if (source.status !== "done" || (source.type !== "data" && source.type !== "rollback")) {
      return { ok: false, reason: `Only a finished data change can be rolled back; ${source.key} is ${statusWords[source.status]}.` };
    }
    const execution = source.executions.filter((e) => e.status === "done").at(-1);
    if (!execution || execution.rollbackRows === null) {
      return { ok: false, reason: `${source.key} has no rollback: ${execution?.rollbackNote ?? "none was prepared when it ran."}` };
    }
    const open = await prisma.rollback.findFirst({
      where: { sourceChangeId, rollbackChange: { status: { notIn: ["rejected", "canceled"] } } },
      select: { rollbackChangeId: true },
    });
    if (open) return { ok: true, change: await changes.get(open.rollbackChangeId), created: false };
    const database = registry.byId(source.databaseId);
    if (!database) return { ok: false, reason: `${source.database.name} is no longer configured.` };
    const engine = engineFor(database.instance.engine);
    const attempts = await prisma.rollback.count({ where: { sourceChangeId } });
    const { change, created } = await changes.create(
      {
        projectId: database.project.id,
        projectKey: database.project.key,
        databaseId: database.id,
        type: "rollback",
        sql: "",
        description: `Rollback of ${source.key} (${execution.rollbackRows === 1 ? "1 row" : `${execution.rollbackRows ?? "?"} rows`})`,
        requesterId: userId,
        requestKey: `rollback-of:${sourceChangeId}:${attempts + 1}`,
        rollbackOf: { changeId: sourceChangeId, rowCount: execution.rollbackRows ?? 0 },
        statements: [],
        // A rollback of 100,000 rows is tens of MB: it goes from the source's execution to the rollback change in
        // the store, a piece at a time.
        fromRollbackScript: { executionId: execution.id, split: (text) => engine.splitStatements(text).map(asNewStatement) },
        // Sluice wrote every statement (one keyed, guarded statement per row): there is nothing to lint, and linting
        // 100,000 of them took longer than preparing them. The guards are what protects the rows (GuardCheck).
        review: { errorCount: 0, warningCount: 0, findings: [] },
      },
      "awaiting_approval",
      { announce: [{ kind: "submitted" } satisfies StoredChangeEvent] },
    );
    if (created) await announce(this.deps, change.id);
    return { ok: true, change, created };
  }

  /** Runs a rollback whose rows changed since, with the script keyed by row keys only: an approver's override. */
  async forceRollback(changeId: number, userId: string, reason: string): Promise<DecisionOutcome> {
    const { prisma, changes } = this.deps;
    const checked = await this.changeToDecide(changeId, userId, ["failed"], true);
    if ("refusal" in checked) return { ok: false, reason: checked.refusal };
    const { change } = checked;
    const rollback = await prisma.rollback.findUnique({ where: { rollbackChangeId: changeId } });
    const source = rollback && (await this.forcedScriptSource(rollback.sourceChangeId, change.database.instance.engine));
    if (!rollback || !source) return { ok: false, reason: `${change.key} is not a rollback that can be forced.` };
    if (!reason.trim()) return { ok: false, reason: "Say why the rollback may overwrite rows changed since." };
    const engine = engineFor(change.database.instance.engine);
    const split = (text: string) => engine.splitStatements(text).map(asNewStatement);
    const approval = await changes.decide(
      changeId,
      ["failed"],
      "approved",
      { userId, decision: "override", reason: `force rollback over changed rows: ${reason.trim()}` },
      {
        alongside: async (tx) => {
          await tx.statement.deleteMany({ where: { changeId } });
          await insertStatements(prismaQueries(tx), changeId, statementsOfScript(rollbackChunks(prismaRows(tx), source, true), split));
          await tx.$executeRawUnsafe(SQL_FROM_ROLLBACK_SCRIPT, changeId, source, true);
          await tx.rollback.update({ where: { id: rollback.id }, data: { forced: true } });
        },
        announce: { kind: "approved", by: userId, override: reason.trim() } satisfies StoredChangeEvent,
      },
    );
    if (!approval) return { ok: false, reason: staleReason(await changes.get(changeId)) };
    await announce(this.deps, changeId);
    this.startRun(changeId);
    return { ok: true, change: await changes.get(changeId) };
  }

  /**
   * The execution of `sourceChangeId` whose rollback is forced, once it keeps forced pieces: PostgreSQL stored them
   * when it prepared the rollback; MySQL's are derived from the guarded ones here, a piece at a time.
   */
  private async forcedScriptSource(sourceChangeId: number, engine: EngineName): Promise<number | undefined> {
    const { prisma, changes } = this.deps;
    const execution = await prisma.execution.findFirst({ where: { changeId: sourceChangeId, status: "done" }, orderBy: { attempt: "desc" } });
    if (!execution || execution.rollbackRows === null) return undefined;
    if (await changes.hasForcedChunks(execution.id)) return execution.id;
    if (engine !== "mysql") return undefined;
    await changes.storeForcedChunks(execution.id, mapChunks(changes.rollbackChunksOf(execution.id), forcedChunk));
    return execution.id;
  }

  /**
   * Checks a change that its environment's drift gate holds against its database's live schema: while a drift is
   * open the change is (still) held and the answer is why; once none is, a hold it had is let go and the answer is
   * undefined. Changes the gate does not hold are not checked.
   */
  private async driftHold(change: ChangeDetail): Promise<string | undefined> {
    const { changes, registry, drift } = this.deps;
    const database = registry.byId(change.databaseId);
    if (!database || driftGateAction(database.environment, change.type) !== "hold") return undefined;
    const driftId = await drift.openDrift(database);
    if (driftId === undefined) {
      await changes.releaseDriftHold(change.id);
      return undefined;
    }
    if (!change.driftHeld || change.driftAnomalyId !== driftId) {
      await changes.holdForDrift(change.id, driftId, { kind: "held_by_drift" } satisfies StoredChangeEvent);
      await announce(this.deps, change.id);
    }
    return driftRefusal(database.label, change.key);
  }

  /**
   * Lets changes go that a drift held, once no drift is open on their database (after a new baseline, or when the
   * schema went back to the snapshot): an approved one runs, one its environment would have approved by itself is
   * approved by policy and runs, and the rest may now be approved. Each is let go once, whichever replica or event
   * gets there first; one whose database drifted again meanwhile is held again by the check before it runs.
   */
  async releaseDriftHolds(databaseId?: number): Promise<number> {
    const { changes, registry, prisma } = this.deps;
    let released = 0;
    for (const held of await changes.heldForDrift(databaseId)) {
      const database = registry.byId(held.databaseId);
      if (!database) continue;
      const stillOpen = held.driftAnomalyId !== null && (await prisma.driftAnomaly.count({ where: { id: held.driftAnomalyId, status: "open" } })) > 0;
      if (stillOpen || !(await changes.releaseDriftHold(held.id, { kind: "drift_released" } satisfies StoredChangeEvent))) continue;
      released += 1;
      await announce(this.deps, held.id);
      if (held.status === "approved") {
        this.startRun(held.id);
        continue;
      }
      const change = await changes.get(held.id);
      if (!database.environment.autoApprove || (change.reviews[0]?.errorCount ?? 0) > 0) continue;
      const approval = await changes.decide(
        held.id,
        ["awaiting_approval"],
        "approved",
        { userId: "sluice", decision: "approve", reason: "auto-approved by environment policy once the drift was resolved" },
        { announce: { kind: "approved", by: "sluice", automatic: true } satisfies StoredChangeEvent },
      );
      if (!approval) continue;
      await announce(this.deps, held.id);
      this.startRun(held.id);
    }
    return released;
  }

  /**
   * Runs approved changes that nobody runs: their process died between the approval (or a policy's, when it was
   * stored) and the start of the run. A change a drift holds waits for releaseDriftHolds instead. Each runs once,
   * whichever replica gets there first: the run starts with a compare-and-set from approved.
   */
  async runApproved(): Promise<number> {
    const waiting = await this.deps.prisma.change.findMany({ where: { status: "approved", driftHeld: false }, orderBy: { id: "asc" }, select: { id: true } });
    for (const { id } of waiting) this.startRun(id);
    return waiting.length;
  }

  /** Why `userId` may not decide the change now, or undefined when they may (checked before opening a modal). */
  async decisionRefusal(changeId: number, userId: string, expected: ChangeStatus[] = ["awaiting_approval"]): Promise<string | undefined> {
    const checked = await this.changeToDecide(changeId, userId, expected);
    return "refusal" in checked ? checked.refusal : undefined;
  }

  /** Waits for the runs this process started (tests and graceful shutdown). */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }

  private startRun(changeId: number): void {
    const run = this.runner.run(changeId).catch((error: unknown) => {
      this.deps.logger.error({ changeId, err: error }, "change run failed unexpectedly");
    });
    this.running.add(run);
    void run.finally(() => this.running.delete(run));
  }

  /**
   * The change, when `userId` may move it from one of `from` now; otherwise why not. A button that no longer applies
   * is answered from the status alone, whoever clicked it: only a change that may still move is read whole.
   */
  private async changeToDecide(changeId: number, userId: string, from: ChangeStatus[], selfAllowed = false): Promise<{ change: ChangeDetail } | { refusal: string }> {
    const current = await this.deps.changes.statusOf(changeId);
    if (current && !from.includes(current.status)) return { refusal: staleReason(current) };
    const change = await this.deps.changes.get(changeId); // throws when there is no such change
    const refusal = (await this.rightToDecide(change, userId, selfAllowed)) ?? stale(change, from);
    return refusal ? { refusal } : { change };
  }

  /**
   * Who may decide: the environment's approvers, and not the requester unless the environment allows it.
   * `selfAllowed` is for decisions that approve nothing new (reject, retry, mark as done): an approver may
   * make them on their own change.
   */
  private async rightToDecide(change: ChangeDetail, userId: string, selfAllowed = false): Promise<string | undefined> {
    const environment = this.deps.config.file.environments.find((e) => e.name === change.database.environment.name);
    if (!environment) return `Environment ${change.database.environment.name} is no longer configured.`;
    const right = await mayDecide(selfAllowed ? { ...environment, allowSelfApproval: true } : environment, change, userId, this.deps.approvers);
    return right.allowed ? undefined : right.reason;
  }
}

function stale(change: ChangeDetail, expected: ChangeStatus[]): string | undefined {
  return expected.includes(change.status) ? undefined : staleReason(change);
}

function staleReason(change: Pick<ChangeDetail, "key" | "status">): string {
  return `${change.key} is already ${statusWords[change.status]}; this button no longer applies.`;
}

/** A statement as the store keeps it. */
function asNewStatement(statement: SqlStatement): NewStatement {
  return { sql: statement.text, line: statement.line, column: statement.column };
}

async function* mapChunks(chunks: AsyncIterable<string>, map: (chunk: string) => string): AsyncGenerator<string> {
  for await (const chunk of chunks) yield map(chunk);
}
