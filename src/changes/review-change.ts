// Runs the SQL review for a change, with the live database's catalog when it can be reached.
import type { Config } from "../config/load.ts";
import { engineFor } from "../engines/index.ts";
import type { ReviewCatalogSession, SqlStatement } from "../engines/engine.ts";
import { boundaryBreach } from "../projects/database-boundary.ts";
import type { RegisteredDatabase, Registry } from "../projects/registry.ts";
import { reviewStatements, type ReviewReport } from "../review/index.ts";
import { rollbackOutlook } from "../rollback/index.ts";
import { redactSecrets } from "../logger.ts";

/** The review's own connection: short timeouts for its catalog reads and EXPLAINs (see Engine.openReviewCatalog). */
const REVIEW_LIMITS = { statementTimeoutMs: 5_000, lockTimeoutMs: 1_000 };

export async function reviewForDatabase(
  config: Config,
  registry: Registry,
  database: RegisteredDatabase,
  statements: SqlStatement[],
  { dataChange = false }: { dataChange?: boolean } = {},
): Promise<ReviewReport> {
  const engine = engineFor(database.instance.engine);
  let catalog: ReviewCatalogSession | undefined;
  let unreachable: string | undefined;
  try {
    catalog = await engine.openReviewCatalog(registry.target(database.instance, database.name), REVIEW_LIMITS);
  } catch (error) {
    unreachable = redactSecrets((error as Error).message);
  }
  try {
    const report = await reviewStatements({
      engine: engine.name,
      statements,
      environment: { name: database.environment.name, tier: database.environment.tier },
      config: config.file.review,
      catalog,
    });
    // A submitted change never gets here with such a statement (it is refused first); /db review says why it would be.
    const breach = await boundaryBreach(database, statements);
    if (breach) {
      report.findings.push({
        ruleId: "system.database.boundary",
        level: "error",
        statementOrdinal: breach.ordinal,
        line: breach.line,
        column: 1,
        message: `${breach.reason}: SQL for ${database.label} may reference only database ${database.name}, so Sluice refuses it (SECURITY.md §3).`,
        advice: `Write names without a database, or with ${database.name}.`,
      });
      report.errorCount += 1;
    }
    // Approvers learn before they approve that a data change would run without a rollback, and why.
    const noRollback = dataChange && !unreachable ? await rollbackProblem(config, registry, database, statements) : undefined;
    if (noRollback) {
      report.findings.push({
        ruleId: "system.rollback.unavailable",
        level: "warning",
        statementOrdinal: 0,
        line: 1,
        column: 1,
        message: `If it runs as it is, this change will have no one-click rollback: ${noRollback}`,
        advice: "Approve only if you can undo it another way, or change what stands in the way first.",
      });
      report.warningCount += 1;
    }
    if (unreachable) {
      report.findings.push({
        ruleId: "system.database.reachable",
        level: "warning",
        statementOrdinal: 0,
        line: 1,
        column: 1,
        message: `The database could not be reached for the review (${unreachable}); rules that read the live schema were skipped.`,
        advice: "Check the instance's host, credentials and network before approving.",
      });
      report.warningCount += 1;
    }
    return report;
  } finally {
    await catalog?.close();
  }
}

/** Why a data change's rollback could not be prepared on its database, read on a short session of its own. */
async function rollbackProblem(config: Config, registry: Registry, database: RegisteredDatabase, statements: SqlStatement[]): Promise<string | undefined> {
  const engine = engineFor(database.instance.engine);
  try {
    const session = await engine.connect(registry.target(database.instance, database.name), REVIEW_LIMITS);
    try {
      return await rollbackOutlook(engine.name, session, config.file.rollback, statements.map((statement) => statement.text));
    } finally {
      await session.close();
    }
  } catch {
    return undefined; // the run checks again, and its done message says why when there is no rollback
  }
}
