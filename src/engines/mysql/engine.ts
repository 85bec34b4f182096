// The MySQL/MariaDB engine (mysql2).
import type { ConnectionTarget, Engine, SessionLimits, SessionOptions } from "../engine.ts";
import { readQuery, refusedRelation } from "./query-rules.ts";
import { connectMySql, withOpenConnection } from "./connect.ts";
import { mysqlOutsideDatabase } from "./database-boundary.ts";
import { endLostSession, settleCutShort } from "./cut-short.ts";
import { quoteIdentifier, quoteLiteral } from "./quote.ts";
import { openMySqlReviewCatalog } from "./review-catalog.ts";
import { schemaFingerprintsOf } from "./schema-dump.ts";
import { MySqlSession } from "./session.ts";
import { splitStatements } from "./split.ts";
import { createDatabaseStatement, runsInTransaction } from "./transactions.ts";

const SYSTEM_DATABASES = new Set(["information_schema", "performance_schema", "mysql", "sys"]);

export const mysqlEngine: Engine = {
  name: "mysql",
  splitStatements,
  quoteIdentifier,
  quoteLiteral,
  runsInTransaction,
  createDatabaseStatement,
  outsideDatabase: async (statement: string, database: string) => mysqlOutsideDatabase(statement, database),
  readQuery,
  refusedRelation,
  settleCutShort,
  endLostSession,

  async connect(target: ConnectionTarget, limits: SessionLimits, options?: SessionOptions) {
    return new MySqlSession(await connectMySql(target, limits, { multipleStatements: options?.batches === true }));
  },

  openReviewCatalog: openMySqlReviewCatalog,

  async schemaFingerprints(target: ConnectionTarget, databases: readonly string[], limits: SessionLimits) {
    const link = await connectMySql({ ...target, database: undefined }, limits);
    try {
      return await schemaFingerprintsOf(link, databases);
    } finally {
      await link.conn.end().catch(() => link.core.destroy());
    }
  },

  listDatabases(target: ConnectionTarget) {
    return withOpenConnection({ ...target, database: undefined }, async (conn) => {
      const [rows] = await conn.query("SELECT SCHEMA_NAME AS name FROM information_schema.SCHEMATA");
      return (rows as Array<{ name: string }>)
        .map((row) => row.name)
        .filter((name) => !SYSTEM_DATABASES.has(name.toLowerCase()))
        .sort();
    });
  },
};
