// Drives the change workflow the way a person does in Slack: slash command, modal, buttons.
import assert from "node:assert/strict";
import mysql from "mysql2/promise";
import pg from "pg";
import { signature } from "../../src/sandbox/slack-requests.ts";
import type { ChangeDetail, ChangeRepository, ChangeStatus, NewChange } from "../../src/store/changes.ts";
import type { RegisteredDatabase } from "../../src/projects/registry.ts";
import type { Execution, PrismaClient, Statement, StatementResult } from "../../src/store/generated/client.ts";
import { eventually, startTestSluice, type TestSluice } from "./sluice.ts";
import { createMysqlDatabase, createPostgresDatabase, dropMysqlDatabase, dropPostgresDatabase, mysqlServer, postgresServer } from "./servers.ts";

export const CHANNEL = "CPROJECT";
export const DEVELOPER = { id: "UDEVELOPER" };
export const APPROVER = { id: "UAPPROVER" };
export const GROUP_APPROVER = { id: "UGROUPMEMBER" };

/** A sluice.yml with a Test (auto-approve) and a Prod environment on both test servers. */
export function workflowYaml(databases: Array<{ name: string; engine: "mysql" | "postgres"; environment: "Test" | "Prod" }>, extra = ""): string {
  const my = mysqlServer();
  const pg = postgresServer();
  return `
environments:
  - name: Test
    tier: test
    autoApprove: true
    approvers: { users: [${APPROVER.id}] }
  - name: Prod
    tier: prod
    approvers: { users: [${APPROVER.id}], groups: [SDBAS] }
instances:
  - { name: maria, engine: mysql, host: ${my.host}, port: ${my.port}, user: ${my.user}, environments: [Test, Prod] }
  - { name: pg, engine: postgres, host: ${pg.host}, port: ${pg.port}, user: ${pg.user}, environments: [Test, Prod] }
projects:
  - key: TAR
    name: Target
    channel: ${CHANNEL}
    databases:
${databases.map((d) => `      - { name: ${d.name}, instance: ${d.engine === "mysql" ? "maria" : "pg"}, environment: ${d.environment} }`).join("\n") || "      []"}
${extra}`;
}

export const slackDirectory = { userGroups: { SDBAS: [GROUP_APPROVER.id] } };

/** The view Sluice opened most recently (views.open), as the local Slack holds it. */
export function lastOpenedView(t: TestSluice) {
  const view = t.slack.views.at(-1);
  assert.ok(view, "Sluice opened no modal");
  return view;
}

export interface ChangeForm {
  database: string;
  type: "schema" | "data";
  sql?: string;
  fileId?: string;
  description?: string;
}

export function changeFormValues(form: ChangeForm) {
  const file = form.fileId ? { files: [{ id: form.fileId }] } : { files: [] };
  return {
    database: { value: { type: "static_select", selected_option: { value: form.database } } },
    type: { value: { type: "radio_buttons", selected_option: { value: form.type } } },
    sql: { value: { type: "plain_text_input", value: form.sql ?? null } },
    file: { value: { type: "file_input", ...file } },
    description: { value: { type: "plain_text_input", value: form.description ?? null } },
  };
}

/** Sends a slash command and returns the modal Sluice opened in answer. */
export async function openModal(t: TestSluice, user: { id: string }, text: string, callbackId: string) {
  const before = t.slack.views.length;
  const opened = await t.send.command(text, user, CHANNEL);
  assert.equal(opened.status, 200);
  return eventually(() => t.slack.views.slice(before).find((v) => v.view.callback_id === callbackId), 5000, `the ${callbackId} modal`);
}

/** `/db change`, then fills and submits the modal; returns the HTTP answer and the view's request key. */
export async function submitChangeForm(t: TestSluice, user: { id: string }, form: ChangeForm) {
  const view = await openModal(t, user, "change", "change.submit");
  const values = changeFormValues(form);
  if (form.fileId) {
    const file = t.slack.files.get(form.fileId)!;
    values.file.value.files = [t.slack.fileInfo(file) as { id: string }];
  }
  const submission = { user, view: { ...view.view, id: view.id }, values };
  const reply = await t.send.submitView(submission);
  return { reply, requestKey: `view:${view.id}`, resubmit: () => t.send.submitView(submission) };
}

/** Submits a change through the modal and returns it once it is stored. */
export async function submitChangeThroughModal(t: TestSluice, user: { id: string }, form: ChangeForm) {
  const { reply, requestKey } = await submitChangeForm(t, user, form);
  assert.equal(reply.status, 200);
  assert.equal(reply.body, "", `the modal should close, but Sluice answered ${reply.body}`);
  return changeOfRequest(t, requestKey);
}

export function changeOfRequest(t: TestSluice, requestKey: string) {
  return eventually(async () => (await t.sluice.store.prisma.change.findUnique({ where: { requestKey } })) ?? undefined, 10_000, `the change of ${requestKey}`);
}

export async function changeStatus(t: TestSluice, key: string): Promise<ChangeStatus | undefined> {
  return (await t.sluice.store.prisma.change.findUnique({ where: { key } }))?.status;
}

export async function waitForStatus(t: TestSluice, key: string, status: ChangeStatus, timeoutMs = 15_000): Promise<ChangeAccount> {
  await eventually(async () => (await changeStatus(t, key)) === status, timeoutMs, `${key} to be ${status} (it is ${await changeStatus(t, key)})`);
  await t.sluice.services.workflow.idle();
  return accountOf(t, key);
}

/** A change with every statement and every execution's results: what the tests check (Sluice never loads them all at once). */
export type ChangeAccount = Omit<ChangeDetail, "executions"> & { sql: string; statements: Statement[]; executions: Array<Execution & { results: StatementResult[] }> };

export async function accountOf(from: TestSluice | { changes: ChangeRepository; prisma: PrismaClient }, key: string): Promise<ChangeAccount> {
  const { changes, prisma } = "sluice" in from ? { changes: from.sluice.services.changes, prisma: from.sluice.store.prisma } : from;
  const change = await changes.findByKey(key);
  assert.ok(change, `no change ${key}`);
  const [sql, statements, executions] = await Promise.all([
    prisma.change.findUniqueOrThrow({ where: { id: change.id }, select: { sql: true } }).then((row) => row.sql),
    prisma.statement.findMany({ where: { changeId: change.id }, orderBy: { ordinal: "asc" } }),
    prisma.execution.findMany({ where: { changeId: change.id }, orderBy: { attempt: "asc" }, include: { results: { orderBy: { statementId: "asc" } } } }),
  ]);
  return { ...change, sql, statements, executions };
}


export function clickOnChange(t: TestSluice, user: { id: string }, change: { id: number; slackTs: string | null }, actionId: string) {
  return t.send.click({ user, channel: CHANNEL, messageTs: change.slackTs ?? "0", actionId, value: String(change.id) });
}

/** Ephemeral messages the local Slack showed to one user. */
export function ephemeralTo(t: TestSluice, userId: string): string[] {
  return t.slack.messages.filter((m) => m.visibleTo === userId).map((m) => m.text);
}

/** The same yaml with `allowSelfApproval: true` on the Prod environment. */
export function allowingSelfApproval(yaml: string): string {
  const prod = "    tier: prod\n";
  assert.ok(yaml.includes(prod), "the yaml has no Prod environment to change");
  return yaml.replace(prod, `${prod}    allowSelfApproval: true\n`);
}

/** Runs SQL on a test database as root and returns its rows (closes its connection). */
export async function onMysql<T = Record<string, unknown>>(database: string, sql: string): Promise<T[]> {
  const conn = await mysql.createConnection({ ...mysqlServer(), database, multipleStatements: true });
  try {
    const [rows] = await conn.query(sql);
    return rows as T[];
  } finally {
    await conn.end();
  }
}

/** Runs SQL on a test PostgreSQL database as postgres and returns its rows (closes its connection). */
export async function onPostgres<T extends Record<string, unknown> = Record<string, unknown>>(database: string, sql: string): Promise<T[]> {
  const client = new pg.Client({ ...postgresServer(), database });
  await client.connect();
  try {
    const result = await client.query<T>(sql);
    return (Array.isArray(result) ? (result.at(-1)?.rows ?? []) : result.rows) as T[];
  } finally {
    await client.end();
  }
}

/** Sends exactly the same bytes and signature again, as a replayed or retried Slack delivery does. */
export async function replay(t: TestSluice, body: string, headers: Record<string, string> = {}, signedAt = Math.floor(Date.now() / 1000)) {
  const response = await fetch(`${t.baseUrl}/slack/events`, {
    method: "POST",
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      "x-slack-request-timestamp": String(signedAt),
      "x-slack-signature": signature(t.signingSecret, signedAt, body),
      ...headers,
    },
    body,
  });
  return { status: response.status, body: await response.text() };
}

/** Every Slack message, edit and ephemeral Sluice sent, counted by method: what "no duplicate messages" checks. */
export function slackCallCounts(t: TestSluice): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const call of t.slack.calls) counts[call.method] = (counts[call.method] ?? 0) + 1;
  return counts;
}

/** Waits for a change to reach `status` with its root message posted (the buttons people click exist). */
export async function waitForPosted(t: TestSluice, key: string, status: ChangeStatus, timeoutMs = 15_000) {
  await eventually(async () => {
    const change = await t.sluice.store.prisma.change.findUnique({ where: { key } });
    return change?.status === status && change.slackTs !== null && t.slack.thread(CHANNEL, change.slackTs).some((m) => /Review of/.test(m.text));
  }, timeoutMs, `${key} to be ${status} and posted with its review`);
  return waitForStatus(t, key, status, timeoutMs);
}

/** A running Sluice with one fresh MariaDB and one fresh PostgreSQL database in the Test environment. */
export interface SluiceWithDatabases {
  t: TestSluice;
  mysqlDb: string;
  pgDb: string;
  stop(): Promise<void>;
}

export async function startWithTestDatabases(prefix: string): Promise<SluiceWithDatabases> {
  const mysqlDb = await createMysqlDatabase(prefix);
  const pgDb = await createPostgresDatabase(prefix);
  const t = await startTestSluice({
    yaml: workflowYaml([
      { name: mysqlDb, engine: "mysql", environment: "Test" },
      { name: pgDb, engine: "postgres", environment: "Test" },
    ]),
    slack: slackDirectory,
  });
  return {
    t,
    mysqlDb,
    pgDb,
    stop: async () => {
      await t.stop();
      await dropMysqlDatabase(mysqlDb);
      await dropPostgresDatabase(pgDb);
    },
  };
}

/**
 * What an approver does after changing a schema by hand where the drift gate blocks: the live schema becomes the new
 * baseline (through the drift monitor, as the alert's button does), so the next schema change is not held by it.
 */
export async function baselineLiveSchema(t: TestSluice, databaseName: string): Promise<void> {
  const database = t.sluice.services.registry.find(databaseName);
  const check = await t.sluice.services.drift.checkNow(database, async () => {});
  if (check.outcome === "drifted") await t.sluice.services.drift.establishBaseline(database, check.anomaly!.id, APPROVER.id);
}

/** What submit() stores for a one-statement data change by the developer with a clean review, for drills that store one directly. */
export function oneStatementDataChange(database: RegisteredDatabase, sql: string, description: string): NewChange {
  return {
    projectId: database.project.id,
    projectKey: database.project.key,
    databaseId: database.id,
    type: "data",
    sql,
    description,
    requesterId: DEVELOPER.id,
    statements: [{ sql, line: 1, column: 1 }],
    review: { errorCount: 0, warningCount: 0, findings: [] },
  };
}
