// PostgreSQL script splitting: standard and E'' strings, nested comments, dollar quotes, psql commands and COPY data.
import type { SqlStatement } from "../engine.ts";
import { leadingKeyword, splitScript, type SqlDialect } from "../sql-lexer.ts";

export const postgresDialect: SqlDialect = {
  backslashEscapes: false,
  escapeStringPrefix: true,
  backtickQuotes: false,
  hashComments: false,
  dashCommentNeedsSpace: false,
  nestedBlockComments: true,
  executableComments: false,
  delimiterDirective: false,
  dollarQuotes: true,
  psqlCommands: true,
};

export function splitStatements(script: string): SqlStatement[] {
  return splitScript(script, postgresDialect);
}

export function postgresLeadingKeyword(sql: string): string {
  return leadingKeyword(sql, postgresDialect);
}
