// Child process of the memory bench: starts the real Sluice (the local Slack Web API in a process of its own, as the
// real one is remote), runs a 200,000-row UPDATE on MariaDB (its rollback prepared from the binlog as it runs), then
// previews that rollback, approves it and runs it, as the buttons do, and prints its own peak memory after each step.
import { startBenchSluice, type BenchSluice } from "../ack/bench-sluice.ts";
import { APPROVER, DEVELOPER, onMysql } from "../../test/support/changes.ts";

export interface RollbackRunReport {
  rows: number;
  /** Peak RSS of this process (MiB) once Sluice had started. */
  startedMaxRssMb: number;
  /** After the change ran and its rollback was prepared. */
  changedMaxRssMb: number;
  /** After "Preview rollback" stored the rollback change. */
  previewedMaxRssMb: number;
  /** After the rollback ran. */
  rolledBackMaxRssMb: number;
  changeMs: number;
  previewMs: number;
  rollbackMs: number;
}

const [database, rowsText] = process.argv.slice(2) as [string, string];
const rows = Number(rowsText);
const maxRssMb = (): number => process.resourceUsage().maxRSS / 1024;

async function statusOf(t: BenchSluice, key: string): Promise<string | undefined> {
  return (await t.sluice.store.prisma.change.findUnique({ where: { key }, select: { status: true } }))?.status;
}

async function finished(t: BenchSluice, key: string): Promise<void> {
  for (;;) {
    const status = await statusOf(t, key);
    if (status === "done") return;
    if (status === "failed" || status === "interrupted") throw new Error(`${key} is ${status}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const t = await startBenchSluice(database, { engine: "mysql", extraYaml: `rollback:\n  rowLimit: ${rows}\n` });
try {
  const { workflow } = t.sluice.services;
  const startedMaxRssMb = maxRssMb();
  let clock = performance.now();
  const lap = (): number => -clock + (clock = performance.now());
  const { change } = await workflow.submit({ database, type: "data", sql: "UPDATE ledger SET note = CONCAT(note, ' (checked)'), amount = amount + 1", description: "mark every entry", requesterId: DEVELOPER.id });
  await finished(t, change.key);
  const changeMs = lap();
  const changedMaxRssMb = maxRssMb();
  const preview = await workflow.prepareRollback(change.id, DEVELOPER.id);
  if (!preview.ok) throw new Error(preview.reason);
  const previewMs = lap();
  const previewedMaxRssMb = maxRssMb();
  const approved = await workflow.approve(preview.change.id, APPROVER.id);
  if (!approved.ok) throw new Error(approved.reason);
  await finished(t, preview.change.key);
  const rollbackMs = lap();
  const [left] = await onMysql<{ n: number }>(database, "SELECT COUNT(*) AS n FROM ledger WHERE note LIKE '%(checked)'");
  if (Number(left?.n) !== 0) throw new Error(`the rollback left ${left?.n} rows as the change made them`);
  const report: RollbackRunReport = { rows, startedMaxRssMb, changedMaxRssMb, previewedMaxRssMb, rolledBackMaxRssMb: maxRssMb(), changeMs, previewMs, rollbackMs };
  process.stdout.write(JSON.stringify(report));
} finally {
  await t.stop();
}
