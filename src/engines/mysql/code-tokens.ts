// Reads one MySQL/MariaDB statement as the server's lexer does: names and words as written, strings and comments set
// aside, and the inside of a versioned comment (slash-star-bang) read as the code the server runs.
import { endOfBlockComment, endOfLineComment, endOfQuotedToken, startsDashComment } from "../sql-lexer.ts";
import { mysqlDialect } from "./split.ts";

export interface CodeToken {
  /** As written; a quoted token's text is what lies inside its quotes, doubled quotes undone. */
  text: string;
  /**
   * `word`: a bare word (keyword or name); `number`: a numeric literal; `backtick`: a quoted name; `double`: "…",
   * a string by default but a name under ANSI_QUOTES (which a statement before can switch on); `string`: '…';
   * `symbol`: one character of anything else.
   */
  kind: "word" | "number" | "backtick" | "double" | "string" | "symbol";
  /** A bare word upper-cased (keywords are read case-blind); "" for every other kind. */
  keyword: string;
  /** Offset of the token's first character in the statement. */
  start: number;
}

const NUMBER = /^(?:\d+(?:[eE]\d*)?|0[xX][0-9a-fA-F]+|0[bB][01]+)$/;

function isWordChar(code: number): boolean {
  return (code >= 48 && code <= 57) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122) || code === 95 || code === 36 || code >= 128;
}

/**
 * The statement's code tokens. `backslashEscapes` is a parameter because the server's sql_mode decides it
 * (NO_BACKSLASH_ESCAPES), and a statement before can change it: callers read both ways.
 */
export function mysqlCodeTokens(sql: string, backslashEscapes: boolean): CodeToken[] {
  return scan(sql, backslashEscapes).tokens;
}

/**
 * The statement with its versioned comments' markers (the opening with its version, and the closing) blanked: the code
 * the server runs, for a parser that does not read them. Offsets are kept.
 */
export function mysqlExecutableText(sql: string): string {
  const { markers } = scan(sql, true);
  if (markers.length === 0) return sql;
  const text = [...sql];
  for (const [start, end] of markers) for (let i = start; i < end; i++) text[i] = " ";
  return text.join("");
}

function scan(sql: string, backslashEscapes: boolean): { tokens: CodeToken[]; markers: Array<[number, number]> } {
  const tokens: CodeToken[] = [];
  const markers: Array<[number, number]> = [];
  const n = sql.length;
  let openExecutable = 0;
  let i = 0;
  while (i < n) {
    const code = sql.charCodeAt(i);
    const c = sql[i]!;
    if (code <= 32) {
      i++;
    } else if ((c === "-" && startsDashComment(sql, i, mysqlDialect)) || c === "#") {
      i = endOfLineComment(sql, i, mysqlDialect);
    } else if (c === "/" && sql[i + 1] === "*") {
      const opening = executableOpening(sql, i);
      if (opening > 0) {
        openExecutable++;
        markers.push([i, i + opening]);
        i += opening;
      } else {
        i = endOfBlockComment(sql, i, false);
      }
    } else if (c === "*" && sql[i + 1] === "/" && openExecutable > 0) {
      openExecutable--;
      markers.push([i, i + 2]);
      i += 2;
    } else if (c === "'" || c === '"' || c === "`") {
      const end = endOfQuotedToken(sql, i, c, c !== "`" && backslashEscapes);
      const inner = sql.slice(i + 1, Math.max(i + 1, end - 1)).split(c + c).join(c);
      tokens.push({ text: inner, kind: c === "`" ? "backtick" : c === '"' ? "double" : "string", keyword: "", start: i });
      i = end;
    } else if (isWordChar(code)) {
      let end = i + 1;
      while (end < n && isWordChar(sql.charCodeAt(end))) end++;
      const word = sql.slice(i, end);
      const number = NUMBER.test(word);
      tokens.push({ text: word, kind: number ? "number" : "word", keyword: number ? "" : word.toUpperCase(), start: i });
      i = end;
    } else {
      tokens.push({ text: c, kind: "symbol", keyword: "", start: i });
      i++;
    }
  }
  return { tokens, markers };
}

/** Length of a versioned comment's opening (slash-star-bang or MariaDB's slash-star-M-bang, then 5 or 6 digits), or 0. */
function executableOpening(sql: string, i: number): number {
  const marker = sql[i + 2] === "!" ? 3 : sql[i + 2] === "M" && sql[i + 3] === "!" ? 4 : 0;
  if (marker === 0) return 0;
  const digits = /^\d{5,6}/.exec(sql.slice(i + marker, i + marker + 6))?.[0].length ?? 0;
  return marker + digits;
}
