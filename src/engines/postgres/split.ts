// PostgreSQL script splitting: standard and E'' strings, nested comments, dollar quotes, psql commands and COPY data,
// and the semicolons psql keeps inside a statement (parentheses, BEGIN ATOMIC bodies).
import type { SqlStatement } from "../engine.ts";
import { leadingKeyword, splitScript, type BlockTracker, type SqlDialect } from "../sql-lexer.ts";

const OPEN_PARENTHESIS = 40;
const CLOSE_PARENTHESIS = 41;
const ROUTINE_HEAD = /^CREATE (?:OR REPLACE )?(?:FUNCTION|PROCEDURE)\b/;

/**
 * psql's rule (psqlscan.l): a `;` inside parentheses (CREATE RULE ... DO (a; b)) or inside the BEGIN ... END of a
 * CREATE [OR REPLACE] FUNCTION/PROCEDURE (a BEGIN ATOMIC body, where CASE also ends with END) is part of the statement.
 */
class PsqlBlocks implements BlockTracker {
  private readonly head: string[] = [];
  private routine = false;
  private parentheses = 0;
  private depth = 0;

  wantsWords(): boolean {
    return this.head.length < 4 || this.routine;
  }

  word(word: string): void {
    const upper = word.toUpperCase();
    if (this.head.length < 4) {
      this.head.push(upper);
      this.routine = ROUTINE_HEAD.test(this.head.join(" "));
    }
    if (!this.routine || this.parentheses > 0) return;
    if (upper === "BEGIN") this.depth++;
    else if (upper === "CASE" && this.depth > 0) this.depth++;
    else if (upper === "END" && this.depth > 0) this.depth--;
  }

  symbol(code: number): void {
    if (code === OPEN_PARENTHESIS) this.parentheses++;
    else if (code === CLOSE_PARENTHESIS && this.parentheses > 0) this.parentheses--;
  }

  holdsSemicolon(): boolean {
    return this.parentheses > 0 || this.depth > 0;
  }
}

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
  carriageReturnEndsComments: true,
  blocks: () => new PsqlBlocks(),
};

export function splitStatements(script: string): SqlStatement[] {
  return splitScript(script, postgresDialect);
}

export function postgresLeadingKeyword(sql: string): string {
  return leadingKeyword(sql, postgresDialect);
}
