// The PostgreSQL engine (pg).
import type { ConnectionTarget, Engine, SessionLimits } from "../engine.ts";
import { readQuery, refusedRelation } from "./query-rules.ts";
import { USER_DATABASES } from "./catalog.ts";
import { connectPostgres } from "./connect.ts";
import { endLostSession, settleCutShort } from "./cut-short.ts";
import { postgresOutsideDatabase } from "./database-boundary.ts";
import { quoteIdentifier, quoteLiteral } from "./quote.ts";
import { openPostgresReviewCatalog } from "./review-catalog.ts";
import { PostgresSession } from "./session.ts";
import { splitStatements } from "./split.ts";
import { createDatabaseStatement, runsInTransaction } from "./transactions.ts";

export const postgresEngine: Engine = {
  name: "postgres",
  splitStatements,
  quoteIdentifier,
  quoteLiteral,
  runsInTransaction,
  createDatabaseStatement,
  outsideDatabase: postgresOutsideDatabase,
  readQuery,
  refusedRelation,
  settleCutShort,
  endLostSession,

  async connect(target: ConnectionTarget, limits: SessionLimits) {
    return new PostgresSession(await connectPostgres(target, limits));
  },

  openReviewCatalog: openPostgresReviewCatalog,

  /** PostgreSQL reads a database's catalog only from inside it: one short session per database. */
  async schemaFingerprints(target: ConnectionTarget, databases: readonly string[], limits: SessionLimits) {
    const fingerprints = new Map<string, string>();
    for (const database of databases) {
      try {
        const session = new PostgresSession(await connectPostgres({ ...target, database }, limits));
        try {
          fingerprints.set(database, await session.schemaFingerprint());
        } finally {
          await session.close();
        }
      } catch {
        // Left out: the caller checks it on its own and reports why.
      }
    }
    return fingerprints;
  },

  async listDatabases(target: ConnectionTarget) {
    const { client } = await connectPostgres(target, { statementTimeoutMs: target.connectTimeoutMs, lockTimeoutMs: target.connectTimeoutMs });
    try {
      const result = await client.query<{ name: string }>(USER_DATABASES);
      return result.rows.map((row) => row.name);
    } finally {
      await client.end();
    }
  },
};
