// Execution overhead: a 1,000-statement script run by Sluice's change runner (approve → done, through the
// workflow) against the `mariadb` / `psql` command-line clients running the same statements on the same server.
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import mysql from "mysql2/promise";
import pg from "pg";
import type { EngineName } from "../../src/engines/engine.ts";
import { APPROVER, DEVELOPER, slackDirectory, workflowYaml } from "../../test/support/changes.ts";
import {
  createMysqlDatabase,
  createPostgresDatabase,
  dropMysqlDatabase,
  dropPostgresDatabase,
  ensureMariaDb,
  ensurePostgres,
  mysqlServer,
  postgresServer,
} from "../../test/support/servers.ts";
import { startTestSluice, type TestSluice } from "../../test/support/sluice.ts";
import { median, ms, ratio, timed } from "../support/stats.ts";

const STATEMENTS = 1000;
const run = promisify(execFile);

interface Style {
  name: string;
  type: "data" | "schema";
  /** The script Sluice gets; the CLI file is the same statements, wrapped in BEGIN … COMMIT when `inTransaction`. */
  script: (engine: EngineName) => string;
  inTransaction: boolean;
  /** Runs to take the median of. */
  runs: number;
  /** Makes the database ready for the next run. */
  reset: (engine: EngineName) => string[];
}

const insertScript = (): string =>
  Array.from({ length: STATEMENTS }, (_, i) => `INSERT INTO bench_rows (id, label, qty) VALUES (${i + 1}, 'row ${i + 1}', ${i % 97});`).join("\n");

const STYLES: Style[] = [
  {
    name: `data change: ${STATEMENTS} single-row INSERTs, one transaction`,
    type: "data",
    script: insertScript,
    inTransaction: true,
    runs: 5,
    reset: () => ["DELETE FROM bench_rows"],
  },
  {
    name: `schema change: ${STATEMENTS} CREATE TABLE, one by one`,
    type: "schema",
    script: () => Array.from({ length: STATEMENTS }, (_, i) => `CREATE TABLE bench_t${i} (id INT PRIMARY KEY, label VARCHAR(40));`).join("\n"),
    // MariaDB commits each DDL statement by itself; PostgreSQL's DDL is transactional, so Sluice runs it in one.
    inTransaction: false,
    // MariaDB's DDL times swing by a third from run to run on a shared machine (1,000 CREATE TABLE took 1.6–3.4 s
    // from a bare client within minutes): one run is not a measurement.
    runs: 5,
    reset: () => Array.from({ length: STATEMENTS }, (_, i) => `DROP TABLE IF EXISTS bench_t${i}`),
  },
];

function cliFile(dir: string, style: Style, engine: EngineName): string {
  const statements = style.script(engine);
  const wrapped = style.inTransaction || (engine === "postgres" && style.type === "schema") ? `BEGIN;\n${statements}\nCOMMIT;\n` : `${statements}\n`;
  const file = join(dir, `${engine}-${style.type}.sql`);
  writeFileSync(file, wrapped);
  return file;
}

async function cliMs(engine: EngineName, database: string, file: string): Promise<number> {
  const started = performance.now();
  if (engine === "mysql") {
    const server = mysqlServer();
    await run("sh", ["-c", `exec mariadb --host="$1" --port="$2" --user="$3" "$4" < "$5"`, "sh", server.host, String(server.port), server.user, database, file], {
      env: { ...process.env, ...(server.password ? { MYSQL_PWD: server.password } : {}) },
    });
  } else {
    const server = postgresServer();
    await run("psql", ["-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", server.host, "-p", String(server.port), "-U", server.user, "-d", database, "-f", file], {
      env: { ...process.env, ...(server.password ? { PGPASSWORD: server.password } : {}) },
    });
  }
  return performance.now() - started;
}

async function runOnTarget(engine: EngineName, database: string, statements: string[]): Promise<void> {
  if (engine === "mysql") {
    const conn = await mysql.createConnection({ ...mysqlServer(), database });
    try {
      for (const sql of statements) await conn.query(sql);
    } finally {
      await conn.end();
    }
  } else {
    const client = new pg.Client({ ...postgresServer(), database });
    await client.connect();
    try {
      for (const sql of statements) await client.query(sql);
    } finally {
      await client.end();
    }
  }
}

/**
 * Readies the database for the next run and lets the server finish the work that reset left behind, so that it does
 * not land in the middle of the next run, whichever side's it is: PostgreSQL vacuums the dropped tables' catalog rows
 * and checkpoints; MariaDB's purge catches up with the drops.
 */
async function reset(engine: EngineName, database: string, style: Style): Promise<void> {
  await runOnTarget(engine, database, style.reset(engine));
  await runOnTarget(engine, database, engine === "postgres" ? ["VACUUM", "CHECKPOINT"] : ["SET GLOBAL innodb_max_purge_lag_wait = 0"]);
}

async function countRows(engine: EngineName, database: string, style: Style): Promise<number> {
  const sql =
    style.type === "data"
      ? "SELECT COUNT(*) AS n FROM bench_rows"
      : engine === "mysql"
        ? `SELECT COUNT(*) AS n FROM information_schema.TABLES WHERE TABLE_SCHEMA = '${database}' AND TABLE_NAME LIKE 'bench\\_t%'`
        : "SELECT COUNT(*) AS n FROM pg_tables WHERE schemaname = 'public' AND tablename LIKE 'bench\\_t%'";
  if (engine === "mysql") {
    const conn = await mysql.createConnection({ ...mysqlServer(), database });
    try {
      const [rows] = await conn.query(sql);
      return Number((rows as Array<{ n: number }>)[0]!.n);
    } finally {
      await conn.end();
    }
  }
  const client = new pg.Client({ ...postgresServer(), database });
  await client.connect();
  try {
    return Number((await client.query<{ n: string }>(sql)).rows[0]!.n);
  } finally {
    await client.end();
  }
}

/** Submits the script (review and store: reported apart), approves it and waits until the runner is done. */
async function sluiceRun(t: TestSluice, database: string, style: Style, engine: EngineName, attempt: number): Promise<{ submitMs: number; runMs: number }> {
  const { workflow } = t.sluice.services;
  const submitted = await timed(() =>
    workflow.submit({ database, type: style.type, sql: style.script(engine), description: `execution bench ${attempt}`, requesterId: DEVELOPER.id }),
  );
  const { change } = submitted.value;
  const ran = await timed(async () => {
    const outcome = await workflow.approve(change.id, APPROVER.id, "execution bench: the findings are expected");
    if (!outcome.ok) throw new Error(`approval refused: ${outcome.reason}`);
    await workflow.idle();
  });
  const done = await t.sluice.services.changes.get(change.id);
  if (done.status !== "done") throw new Error(`${done.key} ended ${done.status}: ${done.executions.at(-1)?.error ?? ""}`);
  return { submitMs: submitted.ms, runMs: ran.ms };
}

interface Row {
  engine: EngineName;
  style: Style;
  transactional: boolean;
  submitMs: number;
  sluiceMs: number;
  cliMs: number;
  /** The lowest and highest ratio of one Sluice run to the client's run beside it. */
  pairs: [number, number];
}

export async function runExecutionBench(): Promise<{ markdown: string }> {
  await ensureMariaDb();
  await ensurePostgres();
  const databases = { mysql: await createMysqlDatabase("exec_bench"), postgres: await createPostgresDatabase("exec_bench") };
  const dir = mkdtempSync(join(tmpdir(), "exec-bench-"));
  const yaml = workflowYaml(
    [
      { name: databases.mysql, engine: "mysql", environment: "Prod" },
      { name: databases.postgres, engine: "postgres", environment: "Prod" },
    ],
    "execution:\n  maxStatements: 1000\n",
  );
  let t: TestSluice | undefined;
  const rows: Row[] = [];
  try {
    for (const engine of ["mysql", "postgres"] as const) {
      await runOnTarget(engine, databases[engine], ["CREATE TABLE bench_rows (id INT PRIMARY KEY, label VARCHAR(40) NOT NULL, qty INT NOT NULL)"]);
    }
    t = await startTestSluice({ yaml, slack: slackDirectory });
    for (const style of STYLES) {
      for (const engine of ["mysql", "postgres"] as const) {
        const database = databases[engine];
        const file = cliFile(dir, style, engine);
        const sluice: number[] = [];
        const submits: number[] = [];
        const cli: number[] = [];
        const runClient = async () => {
          await reset(engine, database, style);
          cli.push(await cliMs(engine, database, file));
          if ((await countRows(engine, database, style)) !== STATEMENTS) throw new Error(`the ${engine} client did not run all ${STATEMENTS} statements`);
        };
        const runSluice = async (attempt: number) => {
          await reset(engine, database, style);
          const { submitMs, runMs } = await sluiceRun(t!, database, style, engine, attempt);
          if ((await countRows(engine, database, style)) !== STATEMENTS) throw new Error(`Sluice did not run all ${STATEMENTS} statements on ${engine}`);
          submits.push(submitMs);
          sluice.push(runMs);
        };
        // Client first, then Sluice first, in turn: a drift in the server's speed over the runs weighs on both alike.
        for (let attempt = 0; attempt < style.runs; attempt++) {
          if (attempt % 2 === 0) {
            await runClient();
            await runSluice(attempt);
          } else {
            await runSluice(attempt);
            await runClient();
          }
        }
        const last = await t.sluice.store.prisma.execution.findFirstOrThrow({ where: { change: { database: { name: database } } }, orderBy: { id: "desc" } });
        const pairRatios = sluice.map((runMs, i) => runMs / cli[i]!);
        rows.push({
          engine,
          style,
          transactional: last.transactional,
          submitMs: median(submits),
          sluiceMs: median(sluice),
          cliMs: median(cli),
          pairs: [Math.min(...pairRatios), Math.max(...pairRatios)],
        });
        console.error(`bench: execution ${engine} ${style.type}: Sluice ${ms(median(sluice), 0)} ms, CLI ${ms(median(cli), 0)} ms`);
      }
    }
  } finally {
    await t?.stop();
    rmSync(dir, { recursive: true, force: true });
    await dropMysqlDatabase(databases.mysql);
    await dropPostgresDatabase(databases.postgres);
  }
  const engineName = (engine: EngineName) => (engine === "mysql" ? "MariaDB" : "PostgreSQL");
  const markdown = [
    "### Execution overhead",
    "",
    `${STATEMENTS} statements, median of ${STYLES.map((s) => `${s.runs} run(s) of the ${s.type} change`).join(" and ")}. Sluice: from the approval to \`done\` through the workflow's \`ChangeRunner\``,
    "(one by one: a store round trip before each statement, which also records the previous one's end; in one transaction:",
    "statements sent in batches, their results stored in one statement before COMMIT; progress edits of the Slack message; a",
    "MariaDB data change also records its binlog events for rollback, a PostgreSQL one backs up the affected rows; a schema",
    "change takes schema snapshots before and after). Reference: the engine's command-line client (`mariadb < file`, `psql -f file`) running the",
    "same statements on the same server, in one `BEGIN … COMMIT` when Sluice uses one transaction, one by one otherwise;",
    "it includes starting the client process. Submitting (split, review, store) is measured apart and is not in the ratio.",
    "Before each run the database is reset, then vacuumed and checkpointed (PostgreSQL) or its purge caught up (MariaDB),",
    "so the server's after-work of the reset does not fall into either side's run.",
    "",
    "Runs alternate: the client first, then Sluice first. The ratio is of the medians; beside it, the lowest and highest ratio",
    "of one Sluice run to the client's run next to it.",
    "",
    "| change | engine | Sluice in one transaction | submit (ms) | Sluice run (ms) | CLI (ms) | run ratio (goal ≤ 1.5×) | run by run |",
    "| --- | --- | --- | ---: | ---: | ---: | ---: | ---: |",
    ...rows.map(
      (r) =>
        `| ${r.style.name} | ${engineName(r.engine)} | ${r.transactional ? "yes" : "no, one by one"} | ${ms(r.submitMs, 0)} | ${ms(r.sluiceMs, 0)} | ${ms(r.cliMs, 0)} | ${ratio(r.sluiceMs, r.cliMs)} | ${r.pairs.map((x) => `${x.toFixed(2)}×`).join("–")} |`,
    ),
    "",
  ].join("\n");
  return { markdown };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log((await runExecutionBench()).markdown);
}
