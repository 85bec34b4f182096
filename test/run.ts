// `npm test`: makes sure the real servers are up, then runs every test file with node's test runner.
import { spawnSync } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import {
  ensureMariaDb,
  ensureMariaDbWithoutBinlog,
  ensurePostgres,
  mysqlServer,
  noBinlogMysqlServer,
  postgresServer,
  PrerequisiteError,
  repoRoot,
} from "./support/servers.ts";

function testFiles(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((entry) => {
      const path = join(dir, entry);
      if (statSync(path).isDirectory()) return entry === "support" ? [] : testFiles(path);
      return entry.endsWith(".test.ts") ? [relative(repoRoot, path)] : [];
    });
}

const filters = process.argv.slice(2);
const files = testFiles(join(repoRoot, "test")).filter((file) => filters.length === 0 || filters.some((f) => file.includes(f)));

const startedPids: Array<number | undefined> = [];
try {
  await ensurePostgres();
  startedPids.push(await ensureMariaDb(), await ensureMariaDbWithoutBinlog());
} catch (error) {
  if (!(error instanceof PrerequisiteError)) throw error;
  console.error(`npm test cannot start: ${error.message}`);
  process.exit(1);
}
const my = mysqlServer();
const noBinlog = noBinlogMysqlServer();
const pgs = postgresServer();

const result = spawnSync(process.execPath, ["--import", "tsx", "--test", "--test-concurrency=2", "--test-timeout=300000", ...files], {
  cwd: repoRoot,
  stdio: "inherit",
  env: {
    ...process.env,
    SLUICE_TEST_MYSQL_URL: `mysql://${my.user}:${encodeURIComponent(my.password)}@${my.host}:${my.port}`,
    SLUICE_TEST_MYSQL_NOBINLOG_URL: `mysql://${noBinlog.user}:${encodeURIComponent(noBinlog.password)}@${noBinlog.host}:${noBinlog.port}`,
    SLUICE_TEST_PG_URL: `postgres://${pgs.user}:${encodeURIComponent(pgs.password)}@${pgs.host}:${pgs.port}`,
  },
});
for (const pid of startedPids) {
  if (pid === undefined) continue;
  try {
    process.kill(pid, "SIGTERM");
  } catch {
    // already gone
  }
}
process.exit(result.status ?? 1);
