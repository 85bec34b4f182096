// `/db query` on an ordinary query, Sluice's path against the one before masking by provenance and function rules
// (issue 21): the same runQuery, on the same databases, store and connections, from the commit before that change,
// extracted into bench/out at run time. Each round runs both in turn, so a change in the machine's load hits both.
import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { EngineName } from "../../src/engines/engine.ts";
import { runQuery, type QueryDeps, type QueryRequest } from "../../src/query/run-query.ts";
import { DEVELOPER, openQueryWorld } from "../../test/query/support.ts";
import { ensureMariaDb, ensurePostgres } from "../../test/support/servers.ts";
import { median, ms, percentile, ratio } from "../support/stats.ts";

/** main just before masking by provenance: the reference. */
const BASELINE_COMMIT = "fc67e6ce1d9a334e4753cbc7f35ace0a99de080c";
const repoRoot = fileURLToPath(new URL("../../", import.meta.url));
const ROUNDS = 300;
const WARMUP = 20;

/** Queries people run every day: a join with a filter, an ordering and a limit; a count with a function. */
const ORDINARY = [
  "SELECT u.id, u.name, c.city FROM users u JOIN customers c ON c.user_id = u.id WHERE u.id < 100 ORDER BY u.id LIMIT 50",
  "SELECT c.city, COUNT(*) AS n, MAX(u.name) AS last_name FROM users u JOIN customers c ON c.user_id = u.id GROUP BY c.city ORDER BY n DESC",
];

type RunQuery = (request: QueryRequest, deps: QueryDeps) => Promise<unknown>;

/** The reference's src, as it was at BASELINE_COMMIT, importable beside ours (node_modules resolve from the repo). */
async function baselineRunQuery(): Promise<RunQuery> {
  const dir = join(repoRoot, "bench/out/query-baseline");
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  execFileSync("sh", ["-c", `git archive ${BASELINE_COMMIT} src | tar -x -C ${JSON.stringify(dir)}`], { cwd: repoRoot });
  const generated = join(repoRoot, "src/store/generated");
  if (existsSync(generated)) cpSync(generated, join(dir, "src/store/generated"), { recursive: true });
  const module = (await import(join(dir, "src/query/run-query.ts"))) as { runQuery: RunQuery };
  return module.runQuery;
}

export async function runQueryBench(): Promise<{ markdown: string }> {
  const reference = await baselineRunQuery();
  const startedMariaDb = await ensureMariaDb();
  await ensurePostgres();
  const world = await openQueryWorld();
  try {
    for (const engine of ["mysql", "postgres"] as EngineName[]) {
      const values = Array.from({ length: 200 }, (_, i) => `(${i + 10}, 'user${i}', 'u${i}@example.com', NULL)`).join(", ");
      await world.admin(engine, `INSERT INTO users VALUES ${values}`);
      await world.admin(engine, `INSERT INTO customers SELECT id, id, 1000, ${engine === "mysql" ? "CONCAT('city', id % 7)" : "'city' || (id % 7)"} FROM users WHERE id >= 10`);
    }
    const rows: string[] = [];
    for (const engine of ["mysql", "postgres"] as EngineName[]) {
      for (const sql of ORDINARY) {
        const request = { actorId: DEVELOPER, database: world.databaseFor(engine), sql };
        const times = { reference: [] as number[], sluice: [] as number[] };
        for (let round = 0; round < WARMUP + ROUNDS; round++) {
          for (const [side, run] of (round % 2 === 0 ? [["reference", reference], ["sluice", runQuery]] : [["sluice", runQuery], ["reference", reference]]) as Array<[keyof typeof times, RunQuery]>) {
            const started = performance.now();
            await run(request, world.deps);
            if (round >= WARMUP) times[side].push(performance.now() - started);
          }
        }
        const [ref, ours] = [times.reference, times.sluice];
        rows.push(`| ${engine} | \`${sql.slice(0, 60)}…\` | ${ms(median(ref))} / ${ms(percentile(ref, 90))} | ${ms(median(ours))} / ${ms(percentile(ours, 90))} | ${ratio(median(ours), median(ref))} |`);
      }
    }
    const markdown = [
      "### /db query on an ordinary query",
      "",
      `runQuery end to end (check, masking analysis, connect, read-only transaction, function check, fetch, audit), ${ROUNDS} rounds`,
      `after ${WARMUP} of warm-up, Sluice and the reference in turn; the reference is the same function at ${BASELINE_COMMIT.slice(0, 7)},`,
      "before masking by provenance and the catalog's function rules.",
      "",
      "| engine | query | reference p50 / p90 (ms) | Sluice p50 / p90 (ms) | Sluice / reference (p50) |",
      "| --- | --- | --- | --- | --- |",
      ...rows,
      "",
    ].join("\n");
    return { markdown };
  } finally {
    await world.close();
    if (startedMariaDb !== undefined) process.kill(startedMariaDb);
  }
}
