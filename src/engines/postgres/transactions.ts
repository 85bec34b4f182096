// Which PostgreSQL statements a transaction can hold: almost all DDL can, a few maintenance forms cannot.
import { quoteIdentifier } from "./quote.ts";
import { postgresLeadingKeyword } from "./split.ts";

const NEVER_IN_TRANSACTION = [
  /\bCONCURRENTLY\b/i, // CREATE/DROP INDEX CONCURRENTLY, REINDEX … CONCURRENTLY
  /^\s*VACUUM\b/i,
  /^\s*(CREATE|DROP)\s+(DATABASE|TABLESPACE)\b/i,
  /^\s*ALTER\s+SYSTEM\b/i,
  /^\s*(BEGIN|START|COMMIT|ROLLBACK|END)\b/i,
];

export function runsInTransaction(statement: string): boolean {
  if (postgresLeadingKeyword(statement) === "REFRESH") return true; // REFRESH … CONCURRENTLY may run in a transaction
  return !NEVER_IN_TRANSACTION.some((pattern) => pattern.test(statement));
}

export function createDatabaseStatement(name: string): string {
  return `CREATE DATABASE ${quoteIdentifier(name)} ENCODING 'UTF8'`;
}
