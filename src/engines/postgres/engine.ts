// The PostgreSQL engine (pg).
import type { ConnectionTarget, Engine, SessionLimits } from "../engine.ts";
import { USER_DATABASES } from "./catalog.ts";
import { connectPostgres } from "./connect.ts";
import { quoteIdentifier, quoteLiteral } from "./quote.ts";
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

  async connect(target: ConnectionTarget, limits: SessionLimits) {
    return new PostgresSession(await connectPostgres(target, limits));
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
