// Child process of the memory bench: starts the real Sluice on a database holding the rows, then exports a
// 100,000-row query result as the query modal does (`runQuery`, masking, `toCsv`) and prints its own memory.
import { runQuery } from "../../src/query/run-query.ts";
import { toCsv } from "../../src/query/cells.ts";
import { queryDeps } from "../../src/slack/commands/query.ts";
import { DEVELOPER, slackDirectory, workflowYaml } from "../../test/support/changes.ts";
import { startTestSluice } from "../../test/support/sluice.ts";

export interface CsvExportReport {
  rows: number;
  csvMb: number;
  ms: number;
  /** Peak RSS of this process (MiB) once Sluice had started, before the export. */
  startedMaxRssMb: number;
  /** Peak RSS of this process (MiB) after the export. */
  maxRssMb: number;
}

const [engine, database, rowsText] = process.argv.slice(2) as ["mysql" | "postgres", string, string];
const rows = Number(rowsText);
const t = await startTestSluice({
  yaml: workflowYaml([{ name: database, engine, environment: "Test" }], `query:\n  rowLimit: ${rows}\n  timeoutSeconds: 120\n`),
  slack: slackDirectory,
});
try {
  const maxRssMb = () => process.resourceUsage().maxRSS / 1024;
  const startedMaxRssMb = maxRssMb();
  const started = performance.now();
  const answer = await runQuery({ actorId: DEVELOPER.id, database, sql: "SELECT id, email, label, amount, created_at FROM export_rows ORDER BY id" }, queryDeps(t.sluice.services));
  const csv = toCsv(answer.columns, answer.rows);
  const elapsed = performance.now() - started;
  if (answer.rows.length !== rows) throw new Error(`the export holds ${answer.rows.length} rows, not ${rows}`);
  if (!answer.masked[1]) throw new Error("the email column was not masked");
  const report: CsvExportReport = { rows: answer.rows.length, csvMb: Buffer.byteLength(csv) / 2 ** 20, ms: elapsed, startedMaxRssMb, maxRssMb: maxRssMb() };
  process.stdout.write(JSON.stringify(report));
} finally {
  await t.stop();
}
