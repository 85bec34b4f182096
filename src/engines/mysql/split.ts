// MySQL/MariaDB script splitting: backslash escapes, backticks, `#` and `-- ` comments, executable comments, DELIMITER.
import type { SqlStatement } from "../engine.ts";
import { leadingKeyword, splitScript, type SqlDialect } from "../sql-lexer.ts";

export const mysqlDialect: SqlDialect = {
  backslashEscapes: true,
  escapeStringPrefix: false,
  backtickQuotes: true,
  hashComments: true,
  dashCommentNeedsSpace: true,
  nestedBlockComments: false,
  executableComments: true,
  delimiterDirective: true,
  dollarQuotes: false,
  psqlCommands: false,
};

export function splitStatements(script: string): SqlStatement[] {
  return splitScript(script, mysqlDialect);
}

export function mysqlLeadingKeyword(sql: string): string {
  return leadingKeyword(sql, mysqlDialect);
}
