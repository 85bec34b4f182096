// Reads a statement the way the server's lexer does, to see its code words with strings and comments set aside.
import { endOfBlockComment, endOfLineComment, endOfQuotedToken, startsDashComment, type SqlDialect } from "../engines/sql-lexer.ts";

export interface CodeToken {
  /** A bare word upper-cased, or the text of a quoted identifier as written inside its quotes. */
  text: string;
  kind: "word" | "quoted" | "symbol";
}

export interface LexicalScan {
  tokens: CodeToken[];
  /** A MySQL executable comment (slash-star-bang) was found: the server would run what it hides. */
  executableComment: boolean;
  /** A PostgreSQL U&"..." identifier or U&'...' string, whose escapes could spell any name. */
  unicodeEscape: boolean;
}

const isWordChar = (c: string): boolean => /[A-Za-z0-9_$]/.test(c) || c.charCodeAt(0) >= 128;

/**
 * Splits SQL into code tokens. String literals are dropped, quoted identifiers keep their inner text, comments
 * vanish. `backslashEscapes` is a parameter because a server setting (NO_BACKSLASH_ESCAPES,
 * standard_conforming_strings) decides it: callers scan both ways so that no reading hides a word.
 */
export function scanCode(sql: string, dialect: SqlDialect, backslashEscapes: boolean): LexicalScan {
  const tokens: CodeToken[] = [];
  let executableComment = false;
  let unicodeEscape = false;
  const n = sql.length;
  let i = 0;
  while (i < n) {
    const c = sql[i]!;
    const next = sql[i + 1];
    if (/\s/.test(c)) {
      i++;
    } else if (c === "'" || (c === '"' && dialect.backtickQuotes)) {
      // MySQL without ANSI_QUOTES reads "..." as a string; either way its content is not code.
      const escapes = backslashEscapes || (dialect.escapeStringPrefix && /[eE]$/.test(sql.slice(Math.max(0, i - 1), i)));
      i = endOfQuotedToken(sql, i, c, escapes);
    } else if (c === '"' || (c === "`" && dialect.backtickQuotes)) {
      const end = endOfQuotedToken(sql, i, c, false);
      tokens.push({ text: sql.slice(i + 1, end - 1).split(c + c).join(c), kind: "quoted" });
      i = end;
    } else if ((c === "-" && startsDashComment(sql, i, dialect)) || (c === "#" && dialect.hashComments)) {
      i = endOfLineComment(sql, i, dialect);
    } else if (c === "/" && next === "*") {
      if (dialect.executableComments && (sql[i + 2] === "!" || (sql[i + 2] === "M" && sql[i + 3] === "!"))) executableComment = true;
      i = endOfBlockComment(sql, i, dialect.nestedBlockComments);
    } else if (c === "$" && dialect.dollarQuotes && dollarTag(sql, i) !== undefined) {
      const tag = dollarTag(sql, i)!;
      const close = sql.indexOf(tag, i + tag.length);
      i = close < 0 ? n : close + tag.length;
    } else if (isWordChar(c)) {
      let end = i + 1;
      while (end < n && isWordChar(sql[end]!)) end++;
      const word = sql.slice(i, end);
      if (dialect.escapeStringPrefix && /^u$/i.test(word) && sql[end] === "&") unicodeEscape = true;
      tokens.push({ text: word.toUpperCase(), kind: "word" });
      i = end;
    } else {
      tokens.push({ text: c, kind: "symbol" });
      i++;
    }
  }
  return { tokens, executableComment, unicodeEscape };
}

function dollarTag(sql: string, i: number): string | undefined {
  if (i > 0 && isWordChar(sql[i - 1]!)) return undefined;
  const match = /^\$([A-Za-z_\u0080-\uffff][A-Za-z0-9_\u0080-\uffff]*)?\$/.exec(sql.slice(i, i + 64));
  return match ? match[0] : undefined;
}
