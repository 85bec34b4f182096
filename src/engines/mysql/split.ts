// MySQL/MariaDB script splitting: backslash escapes, backticks, `#` and `-- ` comments, executable comments, DELIMITER,
// and compound statements (routine, trigger and event bodies) whose inner semicolons do not end them.
import type { SqlStatement } from "../engine.ts";
import { leadingKeyword, splitScript, type BlockTracker, type SqlDialect } from "../sql-lexer.ts";

const COLON = 58;
const SEMICOLON = 59;

/** What CREATE/ALTER makes; the first of these words in such a statement tells whether a body follows. */
const OBJECT_KINDS = new Set(["TABLE", "VIEW", "INDEX", "DATABASE", "SCHEMA", "USER", "ROLE", "SERVER", "SEQUENCE", "TABLESPACE", "LOGFILE", "PACKAGE"]);
const WITH_BODY = new Set(["PROCEDURE", "FUNCTION", "TRIGGER", "EVENT"]);
/** Statements that hold others and end with END [IF|LOOP|…]; they open only where a statement starts (IF EXISTS, FOR UPDATE and REPEAT() do not). */
const STATEMENT_BLOCKS = new Set(["IF", "LOOP", "WHILE", "REPEAT", "FOR"]);
/** Tokens after which a statement starts inside a body (ROW: a trigger's FOR EACH ROW; ATOMIC: BEGIN NOT ATOMIC). */
const STATEMENT_STARTS = new Set([";", ":", "BEGIN", "THEN", "ELSE", "DO", "LOOP", "REPEAT", "ATOMIC", "ROW"]);

/**
 * The server parses a compound statement whole: CREATE PROCEDURE/FUNCTION/TRIGGER/EVENT (and ALTER EVENT) with a
 * BEGIN … END body, and MariaDB's BEGIN NOT ATOMIC, IF, CASE, LOOP, WHILE, REPEAT and FOR outside stored programs. Their
 * inner semicolons belong to them, with or without a DELIMITER directive. A body's END follows a `;` (or its BEGIN),
 * which tells it from a column named `end`; CASE (statement or expression) and REPEAT … UNTIL x END REPEAT end with an
 * END that follows an expression.
 */
class CompoundBlocks implements BlockTracker {
  private kind: "undecided" | "label?" | "compound" | "plain" = "undecided";
  private head: string | undefined;
  private words = 0;
  private readonly open: string[] = [];
  private previous = "";

  wantsWords(): boolean {
    return this.kind !== "plain";
  }

  word(word: string): void {
    if (this.kind === "label?") {
      this.kind = "plain";
      return;
    }
    const upper = word.toUpperCase();
    const deciding = this.kind === "undecided";
    if (deciding) this.decide(upper);
    // BEGIN NOT ATOMIC opened its block while deciding.
    if (this.kind === "compound" && !(deciding && this.head === "BEGIN")) this.follow(upper);
    this.previous = upper;
  }

  symbol(code: number): void {
    if (this.kind === "label?") {
      this.kind = code === COLON ? "undecided" : "plain";
      this.words = 0;
    }
    if (this.kind === "plain") return;
    this.previous = code === SEMICOLON ? ";" : code === COLON ? ":" : "";
  }

  holdsSemicolon(): boolean {
    return this.kind === "compound" && this.open.length > 0;
  }

  private decide(upper: string): void {
    this.words++;
    if (this.words === 1) {
      this.head = upper;
      if (upper === "CASE" || STATEMENT_BLOCKS.has(upper)) this.kind = "compound";
      // Any other first word may be a label (`outer: LOOP`); the next token tells.
      else if (upper !== "CREATE" && upper !== "ALTER" && upper !== "BEGIN") this.kind = "label?";
    } else if (this.head === "BEGIN") {
      this.kind = upper === "NOT" ? "compound" : "plain";
      if (this.kind === "compound") this.open.push("BEGIN");
    } else if (WITH_BODY.has(upper)) {
      this.kind = "compound";
    } else if (OBJECT_KINDS.has(upper)) {
      this.kind = "plain";
    }
  }

  private follow(upper: string): void {
    if (this.previous === "END") return; // END IF, END CASE, END LOOP, END label
    const innermost = this.open.at(-1);
    if (upper === "END") {
      const closes = innermost === "CASE" || innermost === "REPEAT" || (innermost !== undefined && (this.previous === ";" || this.previous === "BEGIN"));
      if (closes) this.open.pop();
    } else if (upper === "BEGIN" || upper === "CASE") {
      this.open.push(upper);
    } else if (STATEMENT_BLOCKS.has(upper) && (this.words === 1 || STATEMENT_STARTS.has(this.previous))) {
      this.open.push(upper);
    }
  }
}

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
  carriageReturnEndsComments: false,
  blocks: () => new CompoundBlocks(),
};

export function splitStatements(script: string): SqlStatement[] {
  return splitScript(script, mysqlDialect);
}

export function mysqlLeadingKeyword(sql: string): string {
  return leadingKeyword(sql, mysqlDialect);
}
