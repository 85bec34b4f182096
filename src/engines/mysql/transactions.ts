// Which MySQL/MariaDB statements a transaction can hold: DDL commits implicitly, so only data statements can.
import { quoteIdentifier } from "./quote.ts";
import { mysqlLeadingKeyword } from "./split.ts";

const IMPLICIT_COMMIT = new Set(["CREATE", "ALTER", "DROP", "RENAME", "TRUNCATE", "GRANT", "REVOKE", "LOCK", "UNLOCK", "ANALYZE", "OPTIMIZE", "REPAIR", "LOAD", "START", "BEGIN", "COMMIT", "ROLLBACK"]);

export function runsInTransaction(statement: string): boolean {
  return !IMPLICIT_COMMIT.has(mysqlLeadingKeyword(statement));
}

export function createDatabaseStatement(name: string): string {
  return `CREATE DATABASE ${quoteIdentifier(name)} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`;
}
