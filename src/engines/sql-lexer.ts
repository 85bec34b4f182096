// The one SQL lexer both engines split scripts with; a SqlDialect switches the engine-specific rules on.
import type { SqlStatement } from "./engine.ts";

export interface SqlDialect {
  /** `\x` escapes inside '...' and "..." (MySQL). */
  backslashEscapes: boolean;
  /** `E'...'` strings with backslash escapes (PostgreSQL). */
  escapeStringPrefix: boolean;
  /** `...` quoted identifiers (MySQL). */
  backtickQuotes: boolean;
  /** `#` starts a comment (MySQL). */
  hashComments: boolean;
  /** `--` starts a comment only when followed by whitespace or a control character (MySQL). */
  dashCommentNeedsSpace: boolean;
  /** Block comments nest (PostgreSQL). */
  nestedBlockComments: boolean;
  /** Comments opened by slash-star-bang (or slash-star-M-bang on MariaDB) are code, not comments (MySQL). */
  executableComments: boolean;
  /** The client's `DELIMITER xx` directive (MySQL). */
  delimiterDirective: boolean;
  /** `$$ ... $$` and `$tag$ ... $tag$` strings (PostgreSQL). */
  dollarQuotes: boolean;
  /** psql backslash commands (`\set`, `\connect`) are skipped, and so is the data after `COPY ... FROM stdin` (PostgreSQL). */
  psqlCommands: boolean;
  /** `--` comments end at a lone carriage return too (PostgreSQL's scanner); MySQL's end only at a line feed. */
  carriageReturnEndsComments: boolean;
  /** A fresh BlockTracker for each statement: which semicolons lie inside a body and so do not end the statement. */
  blocks(): BlockTracker;
}

/**
 * Follows one statement's code (its words, and its other tokens as symbols; comments are left out) and tells whether
 * a `;` met now lies inside a body: PostgreSQL's BEGIN ATOMIC and parentheses, MySQL's compound statements. A custom
 * DELIMITER ends a statement wherever it stands, as the client splits there.
 */
export interface BlockTracker {
  /** Whether word() still matters for this statement (most statements are told apart by their first words). */
  wantsWords(): boolean;
  /** An unquoted word (keyword or name) as written. */
  word(word: string): void;
  /**
   * The character code of code that is not part of a word, such as `(`, `)`, `:` or a `;` the statement holds; a
   * string, quoted name or dollar quote comes as the code of its opening quote.
   */
  symbol(code: number): void;
  holdsSemicolon(): boolean;
}

const TAB = 9;
const LF = 10;
const CR = 13;
const SPACE = 32;
const BANG = 33;
const DOUBLE_QUOTE = 34;
const HASH = 35;
const DOLLAR = 36;
const SINGLE_QUOTE = 39;
const STAR = 42;
const DASH = 45;
const SLASH = 47;
const UPPER_M = 77;
const BACKSLASH = 92;
const BACKTICK = 96;
const DEL = 127;
const SEMICOLON = 59;

const DELIMITER_KEYWORD = "delimiter";
const COPY_FROM_STDIN = /^copy\b[\s\S]*\bfrom\s+stdin\b/i;

function isSpace(code: number): boolean {
  return code === SPACE || (code >= TAB && code <= CR);
}

function isIdentifierChar(code: number): boolean {
  return isDigit(code) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122) || code === 95 || code === DOLLAR || code >= 128;
}

/**
 * Splits a script into statements in one pass. Each statement starts at its first character that is neither
 * whitespace nor comment and ends before its delimiter; empty statements are dropped.
 */
export function splitScript(script: string, dialect: SqlDialect): SqlStatement[] {
  const statements: SqlStatement[] = [];
  const locate = lineLocator(script);
  const n = script.length;
  let delimiter = ";";
  let delimiterFirst = SEMICOLON;
  let start = -1;
  // End of the statement's last code token, so that trailing comments and whitespace stay out of its text.
  let codeEnd = 0;
  let blocks: BlockTracker = dialect.blocks();
  let i = 0;

  const begin = (at: number): void => {
    if (start >= 0) return;
    start = at;
    blocks = dialect.blocks();
  };
  const finish = (): void => {
    const text = script.slice(start, codeEnd);
    const { line, column } = locate(start);
    statements.push({ text, line, column, offset: start });
    start = -1;
    if (dialect.psqlCommands && COPY_FROM_STDIN.test(text)) i = skipCopyData(script, i);
  };

  while (i < n) {
    const code = script.charCodeAt(i);
    if (start < 0) {
      if (isSpace(code)) {
        i++;
        continue;
      }
      if (dialect.delimiterDirective && startsDelimiterDirective(script, i)) {
        const end = endOfLine(script, i);
        const next = script.slice(i + DELIMITER_KEYWORD.length, end).trim().split(/\s+/)[0];
        if (next) {
          delimiter = next;
          delimiterFirst = delimiter.charCodeAt(0);
        }
        i = end;
        continue;
      }
      if (dialect.psqlCommands && code === BACKSLASH) {
        i = endOfLine(script, i);
        continue;
      }
    }
    // The client sends what lies between its delimiters; the server, which the mysql client asks for multi-statement
    // packets, ends statements at each `;` that no body holds. Both are boundaries.
    const ending =
      delimiter !== ";" && code === delimiterFirst && script.startsWith(delimiter, i) ? delimiter.length : code === SEMICOLON && !blocks.holdsSemicolon() ? 1 : 0;
    if (ending > 0) {
      i += ending;
      if (start >= 0) finish();
      continue;
    }
    switch (code) {
      case SINGLE_QUOTE: {
        begin(i);
        blocks.symbol(code);
        const escapes = dialect.backslashEscapes || (dialect.escapeStringPrefix && isEscapeStringPrefix(script, i));
        i = codeEnd = endOfQuoted(script, i, code, escapes);
        continue;
      }
      case DOUBLE_QUOTE:
        begin(i);
        blocks.symbol(code);
        i = codeEnd = endOfQuoted(script, i, code, dialect.backslashEscapes);
        continue;
      case BACKTICK:
        if (!dialect.backtickQuotes) break;
        begin(i);
        blocks.symbol(code);
        i = codeEnd = endOfQuoted(script, i, code, false);
        continue;
      case DASH:
        if (startsDashComment(script, i, dialect)) {
          i = endOfLineComment(script, i, dialect);
          continue;
        }
        break;
      case HASH:
        if (!dialect.hashComments) break;
        i = endOfLineComment(script, i, dialect);
        continue;
      case SLASH: {
        if (script.charCodeAt(i + 1) !== STAR) break;
        const executable = dialect.executableComments ? executableCommentOpening(script, i) : 0;
        if (executable > 0) {
          // The server runs what is inside, so it is lexed as code and its closing star-slash is plain text.
          begin(i);
          i = codeEnd = i + executable;
          continue;
        }
        i = endOfBlockComment(script, i, dialect.nestedBlockComments);
        continue;
      }
      case DOLLAR: {
        if (!dialect.dollarQuotes) break;
        const tag = dollarQuoteTag(script, i);
        if (tag === undefined) break;
        begin(i);
        blocks.symbol(code);
        const close = script.indexOf(tag, i + tag.length);
        i = codeEnd = close < 0 ? n : close + tag.length;
        continue;
      }
    }
    begin(i);
    if (code !== DOLLAR && isIdentifierChar(code)) {
      let end = i + 1;
      // A word stops where a custom delimiter starts (`END$$`), since the client splits there.
      while (end < n && isIdentifierChar(script.charCodeAt(end)) && !(script.charCodeAt(end) === delimiterFirst && script.startsWith(delimiter, end))) end++;
      if (blocks.wantsWords()) blocks.word(script.slice(i, end));
      i = codeEnd = end;
      continue;
    }
    i++;
    if (!isSpace(code)) {
      codeEnd = i;
      blocks.symbol(code);
    }
  }
  if (start >= 0) finish();
  return statements;
}

/**
 * Turns offsets into 1-based line and column, a line ending at `\n`, `\r\n` or a lone `\r` (as editors show them);
 * offsets must be asked for in increasing order.
 */
function lineLocator(script: string): (offset: number) => { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  let scanned = 0;
  return (offset) => {
    for (; scanned < offset; scanned++) {
      const code = script.charCodeAt(scanned);
      if (code === LF || (code === CR && script.charCodeAt(scanned + 1) !== LF)) {
        line++;
        lineStart = scanned + 1;
      }
    }
    return { line, column: offset - lineStart + 1 };
  };
}

/** The end of a client-side line (DELIMITER, psql commands, COPY data): mysql and psql read lines up to `\n`. */
function endOfLine(script: string, from: number): number {
  const end = script.indexOf("\n", from);
  return end < 0 ? script.length : end;
}

/** Whether `--` at `i` starts a comment: MySQL wants whitespace or a control character after it (sql_lex.cc). */
export function startsDashComment(script: string, i: number, dialect: SqlDialect): boolean {
  if (script.charCodeAt(i + 1) !== DASH) return false;
  if (!dialect.dashCommentNeedsSpace || i + 2 >= script.length) return true;
  const after = script.charCodeAt(i + 2);
  return after <= SPACE || after === DEL;
}

/** Where a `--` or `#` comment ends: before its line feed, or (PostgreSQL) its carriage return. */
export function endOfLineComment(script: string, from: number, dialect: SqlDialect): number {
  const n = script.length;
  for (let i = from; i < n; i++) {
    const code = script.charCodeAt(i);
    if (code === LF || (code === CR && dialect.carriageReturnEndsComments)) return i;
  }
  return n;
}

function endOfQuoted(script: string, open: number, quote: number, backslashEscapes: boolean): number {
  const n = script.length;
  for (let i = open + 1; i < n; i++) {
    const code = script.charCodeAt(i);
    if (code === quote) return i + 1;
    if (code === BACKSLASH && backslashEscapes) i++;
  }
  return n;
}

/**
 * The index just past a quoted string, identifier or name opened at `open` by `quote`: a doubled quote stands for
 * itself, and with `backslashEscapes` a backslash escapes the next character. An unclosed quote runs to the end.
 */
export function endOfQuotedToken(sql: string, open: number, quote: string, backslashEscapes: boolean): number {
  for (let i = open + 1; i < sql.length; i++) {
    const c = sql[i];
    if (c === "\\" && backslashEscapes) i++;
    else if (c === quote) {
      if (sql[i + 1] === quote) i++;
      else return i + 1;
    }
  }
  return sql.length;
}

export function endOfBlockComment(script: string, open: number, nested: boolean): number {
  if (!nested) {
    const close = script.indexOf("*/", open + 2);
    return close < 0 ? script.length : close + 2;
  }
  const n = script.length;
  let depth = 1;
  let i = open + 2;
  while (i < n) {
    const code = script.charCodeAt(i);
    if (code === STAR && script.charCodeAt(i + 1) === SLASH) {
      i += 2;
      if (--depth === 0) return i;
    } else if (code === SLASH && script.charCodeAt(i + 1) === STAR) {
      i += 2;
      depth++;
    } else {
      i++;
    }
  }
  return n;
}

/**
 * Length of an executable comment's opening (slash-star-bang or slash-star-M-bang, with the server version of 5 or
 * 6 digits that may follow, as MariaDB's sql_lex.cc reads it) at `i`, or 0.
 */
function executableCommentOpening(script: string, i: number): number {
  const third = script.charCodeAt(i + 2);
  const marker = third === BANG ? 3 : third === UPPER_M && script.charCodeAt(i + 3) === BANG ? 4 : 0;
  if (marker === 0) return 0;
  let digits = 0;
  while (digits < 6 && isDigit(script.charCodeAt(i + marker + digits))) digits++;
  return marker + (digits >= 5 ? digits : 0);
}

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

function isEscapeStringPrefix(script: string, quote: number): boolean {
  const prefix = script.charCodeAt(quote - 1);
  return (prefix === 69 || prefix === 101) && (quote < 2 || !isIdentifierChar(script.charCodeAt(quote - 2)));
}

/** The `$tag$` opening a dollar-quoted string at `i`, or undefined (e.g. `$1`, or `$` inside an identifier). */
function dollarQuoteTag(script: string, i: number): string | undefined {
  if (i > 0 && isIdentifierChar(script.charCodeAt(i - 1))) return undefined;
  let k = i + 1;
  const first = script.charCodeAt(k);
  if (first >= 48 && first <= 57) return undefined;
  while (k < script.length) {
    const code = script.charCodeAt(k);
    if (code === DOLLAR) return script.slice(i, k + 1);
    if (!isIdentifierChar(code)) return undefined;
    k++;
  }
  return undefined;
}

function startsDelimiterDirective(script: string, i: number): boolean {
  const after = script.charCodeAt(i + DELIMITER_KEYWORD.length);
  return (
    (after === SPACE || after === TAB) &&
    script.slice(i, i + DELIMITER_KEYWORD.length).toLowerCase() === DELIMITER_KEYWORD
  );
}

/** Skips the rest of the COPY line and the data rows up to the `\.` line. */
function skipCopyData(script: string, from: number): number {
  let lineStart = endOfLine(script, from) + 1;
  while (lineStart < script.length) {
    const end = endOfLine(script, lineStart);
    if (script.slice(lineStart, end).trim() === "\\.") return end;
    lineStart = end + 1;
  }
  return script.length;
}

/**
 * The first keyword of a statement, upper-cased, after leading whitespace and comments; "" when there is none.
 * An executable comment (MySQL's versioned comment around CREATE ...) yields the keyword inside it.
 */
export function leadingKeyword(sql: string, dialect: SqlDialect): string {
  let i = 0;
  const n = sql.length;
  while (i < n) {
    const code = sql.charCodeAt(i);
    if (isSpace(code)) {
      i++;
    } else if ((code === DASH && startsDashComment(sql, i, dialect)) || (code === HASH && dialect.hashComments)) {
      i = endOfLineComment(sql, i, dialect);
    } else if (code === SLASH && sql.charCodeAt(i + 1) === STAR) {
      const executable = dialect.executableComments ? executableCommentOpening(sql, i) : 0;
      i = executable === 0 ? endOfBlockComment(sql, i, dialect.nestedBlockComments) : i + executable;
    } else {
      break;
    }
  }
  const match = /^[A-Za-z_]+/.exec(sql.slice(i, i + 32));
  return match ? match[0].toUpperCase() : "";
}

/**
 * A keyword or bare name outside parentheses, quotes and comments (upper-cased), or a comma there (`,`), with where
 * it lies in the text.
 */
export interface TopLevelWord {
  word: string;
  start: number;
  end: number;
}

/**
 * The statement's words and commas at parenthesis depth 0, outside quoted text, quoted identifiers and comments: what
 * a reader of a statement's shape (its target table, SET, WHERE, ORDER BY, LIMIT) looks for.
 */
export function topLevelWords(sql: string, dialect: SqlDialect): TopLevelWord[] {
  const words: TopLevelWord[] = [];
  const n = sql.length;
  let depth = 0;
  let i = 0;
  while (i < n) {
    const code = sql.charCodeAt(i);
    const next = sql.charCodeAt(i + 1);
    if ((code === DASH && startsDashComment(sql, i, dialect)) || (code === HASH && dialect.hashComments)) {
      i = endOfLineComment(sql, i, dialect);
    } else if (code === SLASH && next === STAR) {
      const executable = dialect.executableComments ? executableCommentOpening(sql, i) : 0;
      i = executable > 0 ? i + executable : endOfBlockComment(sql, i, dialect.nestedBlockComments);
    } else if (code === SINGLE_QUOTE) {
      i = endOfQuoted(sql, i, code, dialect.backslashEscapes || (dialect.escapeStringPrefix && isEscapeStringPrefix(sql, i)));
    } else if (code === DOUBLE_QUOTE) {
      i = endOfQuoted(sql, i, code, dialect.backslashEscapes);
    } else if (code === BACKTICK && dialect.backtickQuotes) {
      i = endOfQuoted(sql, i, code, false);
    } else if (code === DOLLAR && dialect.dollarQuotes && dollarQuoteTag(sql, i) !== undefined) {
      const tag = dollarQuoteTag(sql, i)!;
      const close = sql.indexOf(tag, i + tag.length);
      i = close < 0 ? n : close + tag.length;
    } else if (code === 44 && depth === 0) {
      words.push({ word: ",", start: i, end: i + 1 });
      i++;
    } else if (code === 40) {
      depth++;
      i++;
    } else if (code === 41) {
      depth--;
      i++;
    } else if (isIdentifierChar(code) && (i === 0 || !isIdentifierChar(sql.charCodeAt(i - 1)))) {
      let end = i + 1;
      while (end < n && isIdentifierChar(sql.charCodeAt(end))) end++;
      // A number, or a name's tail after a dot, is no keyword.
      if (depth === 0 && !(code >= 48 && code <= 57) && sql.charCodeAt(i - 1) !== 46) words.push({ word: sql.slice(i, end).toUpperCase(), start: i, end });
      i = end;
    } else {
      i++;
    }
  }
  return words;
}
