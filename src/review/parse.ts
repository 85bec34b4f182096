// Parses each statement once: MySQL with node-sql-parser (recovering a few forms its grammar misses), PostgreSQL with
// PostgreSQL's own parser (postgres-ast.ts).
import mysqlGrammar from "node-sql-parser/build/mysql.js";
import postgresGrammar from "node-sql-parser/build/postgresql.js";
import type { EngineName, SqlStatement } from "../engines/engine.ts";
import { columnName } from "./ast.ts";
import { parsePostgres, parsePostgresBare, PostgresSyntaxError } from "./postgres-ast.ts";

/** node-sql-parser's AST is loosely typed and varies by dialect; rules read it through ast.ts helpers. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AstNode = Record<string, any>;

export interface ParseFailure {
  message: string;
  /** Position in the whole script (1-based). */
  line: number;
  column: number;
}

export interface ParsedStatement {
  /** Statements the text holds (usually one); empty when it did not parse or holds only comments. */
  nodes: AstNode[];
  failure?: ParseFailure;
  /** PostgreSQL `NOT VALID` was present. */
  notValid: boolean;
  /** MySQL column-level `CHARACTER SET x` clauses, which the grammar rejects and the recovery removes. */
  columnCharsets: string[];
  /** PostgreSQL: nothing in it that expression facts read (no call, operator, NULL test or query), so they are empty. */
  plain?: boolean;
}

const parsers = {
  mysql: { parser: new mysqlGrammar.Parser(), database: "MySQL" },
  postgres: { parser: new postgresGrammar.Parser(), database: "PostgresQL" },
} as const;

/** node-sql-parser's parse of one statement's text (the review's MySQL parser; /db query's guard on both engines). */
export function astify(engine: EngineName, sql: string): AstNode[] {
  const { parser, database } = parsers[engine];
  const ast = parser.astify(sql, { database }) as AstNode | AstNode[];
  return Array.isArray(ast) ? ast : [ast];
}

/** The bare parse the review runs on each statement, without reading the result (the benchmark's baseline). */
export function bareParse(engine: EngineName, sql: string): unknown {
  return engine === "postgres" ? parsePostgresBare(sql) : astify(engine, sql);
}

const blank = (match: string): string => match.replace(/[^\n]/g, " ");
const EXECUTABLE_COMMENT = /^\/\*!\d*|\*\/\s*$/g;

/** Rewrites that keep every offset in place (removed text becomes spaces), so error positions stay true. */
const COLUMN_CHARSET = /\b(?:CHARACTER\s+SET|CHARSET)\s+['"`]?(\w+)['"`]?/gi;

interface Recovery {
  sql: string;
  columnCharsets: string[];
  /** Restores to the AST what the rewrite removed (partitioning). */
  annotate?: (nodes: AstNode[]) => void;
}

/** Offsets of the text outside quoted strings, identifiers and comments, with the parenthesis depth at each. */
function codeDepths(text: string): Int16Array {
  const depth = new Int16Array(text.length).fill(-1);
  let level = 0;
  for (let i = 0; i < text.length; i++) {
    const char = text[i]!;
    if (char === "'" || char === '"' || char === "`") {
      const close = text.indexOf(char, i + 1);
      i = close < 0 ? text.length : close;
      continue;
    }
    if (char === "-" && text[i + 1] === "-") {
      const eol = text.indexOf("\n", i);
      i = eol < 0 ? text.length : eol;
      continue;
    }
    if (char === "(") level++;
    depth[i] = level;
    if (char === ")") level--;
  }
  return depth;
}

/** The first top-level match of `pattern` outside strings and parentheses, or -1. */
function topLevelIndex(text: string, pattern: RegExp): number {
  const depth = codeDepths(text);
  const global = new RegExp(pattern.source, "gi");
  for (let match = global.exec(text); match; match = global.exec(text)) {
    if (depth[match.index] === 0) return match.index;
  }
  return -1;
}

/** MySQL type synonyms the grammar lacks: the national types are utf8 (utf8mb3) strings, BOOL is BOOLEAN. */
const MYSQL_NATIONAL_TYPE = /\bN(VARCHAR|CHAR)\b/gi;
const MYSQL_BOOL = /\bBOOL\b/gi;
/** `VARCHAR(n) BINARY`: the binary collation of the column's charset. */
const MYSQL_BINARY_ATTRIBUTE = /(\bCHAR|\bVARCHAR|\bTEXT)(\s*\(\s*\d+\s*\))?\s+BINARY\b/gi;

/** LOCALTIME and LOCALTIMESTAMP are NOW(); the grammar takes them only as calls. */
const CURRENT_TIME_DEFAULT = /\b(DEFAULT|ON\s+UPDATE)\s+(?:LOCALTIME|LOCALTIMESTAMP)\b(?:\s*\(\s*\))?/gi;
const CURRENT_USER_DEFAULT = /\bDEFAULT\s+CURRENT_USER\b(?!\s*\()/gi;

/** `ADD [COLUMN] (a INT, b INT)` as the `ADD COLUMN a INT, ADD COLUMN b INT` the grammar reads. */
function splitColumnList(sql: string): string {
  const head = /\bADD\s+(?:COLUMN\s+)?\(/i.exec(sql);
  if (!head) return sql;
  const open = head.index + head[0].length - 1;
  const depth = codeDepths(sql);
  let close = open + 1;
  while (close < sql.length && !(sql[close] === ")" && depth[close] === depth[open])) close++;
  if (close >= sql.length) return sql;
  const definitions: string[] = [];
  let start = open + 1;
  for (let i = open + 1; i < close; i++) {
    if (sql[i] === "," && depth[i] === depth[open]) {
      definitions.push(sql.slice(start, i));
      start = i + 1;
    }
  }
  definitions.push(sql.slice(start, close));
  const columns = definitions.map((definition) => `ADD COLUMN ${definition.trim()}`).join(", ");
  return splitColumnList(`${sql.slice(0, head.index)}${columns}${sql.slice(close + 1)}`);
}

const ALTER_COLUMN_CLAUSE = /(?:^|,)\s*(?:ALTER\s+TABLE\s+\S+\s+)?(?:(?:ADD|MODIFY)\s+(?:COLUMN\s+)?|CHANGE\s+(?:COLUMN\s+)?`?[^`\s]+`?\s+)`?([^`\s,(]+)`?/i;

/**
 * The column whose definition holds the offset: in CREATE TABLE the first name after the comma or parenthesis that opens
 * it, in ALTER TABLE the name its ADD/MODIFY/CHANGE clause defines.
 */
function definitionColumn(text: string, depth: Int16Array, offset: number): string | undefined {
  const level = depth[offset];
  if (level === undefined || level < 0) return undefined;
  let start = offset;
  while (start > 0 && !((text[start] === "," || (text[start] === "(" && level > 0)) && depth[start] === level)) start--;
  const clause = text.slice(start, offset);
  const name = level > 0 ? /^[,(]\s*`?([^`\s,(]+)`?/.exec(clause)?.[1] : ALTER_COLUMN_CLAUSE.exec(clause)?.[1];
  return name?.toLowerCase();
}

function mysqlTableRecovery(text: string): Recovery | undefined {
  const columnCharsets: string[] = [];
  /** Removed column charsets by column, put back on the parsed column definitions. */
  const charsetOf = new Map<string, string>();
  const depth = codeDepths(text);
  const removed = (charset: string, offset: number) => {
    columnCharsets.push(charset);
    const column = definitionColumn(text, depth, offset);
    if (column) charsetOf.set(column, charset);
  };
  let sql = text.replace(COLUMN_CHARSET, (match: string, charset: string, offset: number) => {
    // Table options (`DEFAULT CHARSET=x`, `CHARSET=x`) parse fine; only the clauses without `=` are column-level.
    if (/DEFAULT\s*$/i.test(text.slice(Math.max(0, offset - 12), offset))) return match;
    removed(charset.toLowerCase(), offset);
    return blank(match);
  });
  sql = sql.replace(MYSQL_NATIONAL_TYPE, (_match, type: string, offset: number) => {
    removed("utf8", offset);
    return ` ${type}`;
  });
  sql = sql.replace(CURRENT_TIME_DEFAULT, "$1 NOW()").replace(CURRENT_USER_DEFAULT, "DEFAULT CURRENT_USER()");
  sql = splitColumnList(sql);
  // `PRIMARY KEY pk (a)`: MySQL ignores a primary key's name; the grammar rejects it.
  sql = sql.replace(/\bPRIMARY\s+KEY\s+(?!USING\b)[`\w]+(?=\s*\()/gi, (match) => `PRIMARY KEY${" ".repeat(match.length - 11)}`);
  sql = sql.replace(MYSQL_BOOL, "BOOLEAN").replace(MYSQL_BINARY_ATTRIBUTE, (match, type: string, length: string | undefined) => `${type}${length ?? ""}`.padEnd(match.length));
  let partitioned = false;
  if (/^\s*CREATE\s+TABLE\b/i.test(sql)) {
    // The pre-4.1 spelling of ENGINE=.
    const type = topLevelIndex(sql, /\bTYPE\s*=/);
    if (type >= 0) sql = `${sql.slice(0, type)}ENGINE=${sql.slice(sql.indexOf("=", type) + 1)}`;
  }
  if (/^\s*CREATE\s+TABLE\b/i.test(sql)) {
    const partition = topLevelIndex(sql, /\bPARTITION\s+BY\b/);
    if (partition >= 0) {
      sql = sql.slice(0, partition) + blank(sql.slice(partition));
      partitioned = true;
    }
  }
  if (sql === text) return undefined;
  const annotate = (nodes: AstNode[]) => {
    for (const node of nodes) {
      if (partitioned) node.table_options = [...(Array.isArray(node.table_options) ? node.table_options : []), { keyword: "partition by", value: "" }];
      const definitions = [node.create_definitions, node.type === "alter" ? node.expr : undefined].flatMap((list) => (Array.isArray(list) ? (list as AstNode[]) : []));
      for (const definition of definitions) {
        const charset = definition.resource === "column" ? charsetOf.get(columnName(definition.column).toLowerCase()) : undefined;
        if (charset && !definition.character_set) definition.character_set = { type: "CHARACTER SET", value: { type: "default", value: charset }, symbol: null };
      }
    }
  };
  return { sql, columnCharsets, annotate };
}

/** `_utf8'text'`: a charset introducer on a string literal, which the grammar rejects; the string is what matters. */
const CHARSET_INTRODUCER = /(?<![\w$])_(?:utf8mb4|utf8mb3|utf8|latin1|binary|ascii)(?=\s*')/gi;
/** A backquoted name after DROP CONSTRAINT / CHECK, which the grammar only takes bare. */
const QUOTED_DROPPED_NAME = /(\bDROP\s+(?:CONSTRAINT|CHECK)\s+)`([^`]+)`/gi;

function recoveries(text: string): Recovery[] {
  const table = /^\s*(?:CREATE|ALTER)\s+TABLE\b/i.test(text) ? mysqlTableRecovery(text) : undefined;
  const sql = (table?.sql ?? text)
    .replace(CHARSET_INTRODUCER, blank)
    .replace(QUOTED_DROPPED_NAME, (_match, head: string, name: string) => `${head} ${name} `);
  if (sql === text) return [];
  return [{ sql, columnCharsets: table?.columnCharsets ?? [], annotate: table?.annotate }];
}

/** MySQL statements the grammar cannot read but whose meaning is plain from their text. */
const RECOGNIZED: Array<{ pattern: RegExp; node: (match: RegExpExecArray) => AstNode }> = [
  {
    pattern: /^OPTIMIZE\s+(?:NO_WRITE_TO_BINLOG\s+|LOCAL\s+)?TABLES?\s+([\w`$.]+(?:\s*,\s*[\w`$.]+)*)\s*$/i,
    node: (m) => ({ type: "optimize", tables: m[1]!.split(",").map((name) => name.trim().replace(/`/g, "")) }),
  },
  {
    pattern: /^DROP\s+(SCHEMA|DATABASE)\s+(?:IF\s+EXISTS\s+)?([\w"`$.]+(?:\s*,\s*[\w"`$.]+)*)(?:\s+(?:CASCADE|RESTRICT))?\s*$/i,
    node: (m) => ({ type: "drop", keyword: m[1]!.toLowerCase(), name: m[2] }),
  },
  {
    pattern: /^(CREATE|ALTER|DROP|RENAME)\s+(USER|ROLE)\b/i,
    node: (m) => ({ type: "account", action: m[1]!.toLowerCase(), keyword: m[2]!.toLowerCase() }),
  },
  {
    pattern: /^SET\s+(?:NAMES|CHARACTER\s+SET|CHARSET)\s+['"]?\w+['"]?(?:\s+COLLATE\s+['"]?\w+['"]?)?\s*$/i,
    node: () => ({ type: "set", expr: [] }),
  },
  {
    pattern: /^REVOKE\b/i,
    node: () => ({ type: "revoke" }),
  },
  {
    pattern: /^ALTER\s+TABLE\s+([\w`$.]+)\s+CONVERT\s+TO\s+(?:CHARACTER\s+SET|CHARSET)\s+(\w+)(?:\s+COLLATE\s+(\w+))?\s*$/i,
    node: (m) => ({
      type: "alter",
      table: [{ db: null, table: m[1]!.replace(/`/g, "") }],
      expr: [{ type: "alter", resource: "convert", charset: m[2]!.toLowerCase(), collate: m[3]?.toLowerCase() ?? null }],
    }),
  },
  {
    pattern: /^ALTER\s+TABLE\s+(?:IF\s+EXISTS\s+)?(?:ONLY\s+)?([\w"$.]+)\s+RENAME\s+(?:COLUMN\s+)?(?!TO\b|CONSTRAINT\b)("[^"]+"|\w+)\s+TO\s+("[^"]+"|\w+)\s*$/i,
    node: (m) => {
      const unquote = (name: string) => name.replace(/^"|"$/g, "");
      return {
        type: "alter",
        table: [{ db: null, table: unquote(m[1]!) }],
        expr: [{ type: "alter", action: "rename", resource: "column", old_column: unquote(m[2]!), column: unquote(m[3]!) }],
      };
    },
  },
  {
    pattern: /^DROP\s+(TRIGGER|PROCEDURE|FUNCTION|EVENT)\s+(?:IF\s+EXISTS\s+)?[\w"`$.]+(?:\s*\([^)]*\))?(?:\s+ON\s+[\w"`$.]+)?(?:\s+(?:CASCADE|RESTRICT))?\s*$/i,
    node: (m) => ({ type: "drop", keyword: m[1]!.toLowerCase() }),
  },
];

const NAME = String.raw`(?:"[^"]+"|\`[^\`]+\`|[\w$]+)(?:\.(?:"[^"]+"|\`[^\`]+\`|[\w$]+))?`;
const NAMES = String.raw`${NAME}(?:\s*,\s*${NAME})*`;
const unquote = (name: string): string => name.replace(/["`]/g, "");
const tableRef = (name: string): AstNode => {
  const parts = unquote(name).split(".");
  return parts.length > 1 ? { db: parts[0], table: parts[1] } : { db: null, table: parts[0] };
};

/**
 * Statements neither grammar ever reads, recognized from their text before parsing (which saves the failed parse).
 * Each pattern matches the whole statement, so nothing unread passes.
 */
const UNPARSABLE: Array<{ pattern: RegExp; node: (match: RegExpExecArray) => AstNode }> = [
    {
      pattern: new RegExp(String.raw`^ALTER\s+(?:DATABASE|SCHEMA)(?:\s+(?!DEFAULT\b|CHARACTER\b|CHARSET\b|COLLATE\b)${NAME})?((?:\s+(?:DEFAULT\s+)?(?:CHARACTER\s+SET|CHARSET|COLLATE)\s*=?\s*['"\`]?\w+['"\`]?)+)\s*$`, "i"),
      node: (m) => ({
        type: "alter_database",
        charset: /(?:CHARACTER\s+SET|CHARSET)\s*=?\s*['"`]?(\w+)/i.exec(m[1]!)?.[1]?.toLowerCase(),
        collate: /COLLATE\s*=?\s*['"`]?(\w+)/i.exec(m[1]!)?.[1]?.toLowerCase(),
      }),
    },
    {
      pattern: new RegExp(String.raw`^ALTER\s+TABLE\s+(${NAME})\s+PARTITION\s+BY\s+(?:LINEAR\s+)?(?:HASH|KEY|RANGE|LIST)\b.*$`, "is"),
      node: (m) => ({ type: "alter", table: [tableRef(m[1]!)], expr: [{ type: "alter", action: "partition by", resource: "partition" }] }),
    },
    {
      pattern: new RegExp(String.raw`^ALTER\s+TABLE\s+(${NAME})\s+RENAME\s+(?:INDEX|KEY)\s+(${NAME})\s+TO\s+(${NAME})\s*$`, "i"),
      node: (m) => ({ type: "alter", table: [tableRef(m[1]!)], expr: [{ type: "alter", action: "rename", resource: "index", old_index: unquote(m[2]!), new_index: unquote(m[3]!) }] }),
    },
    {
      pattern: /^PREPARE\s+([\w$]+)\s+FROM\s+(@[\w$.]+|'(?:[^'\\]|''|\\.)*')\s*$/i,
      node: (m) => ({ type: "prepare", name: m[1], source: m[2] }),
    },
    { pattern: /^EXECUTE\s+([\w$]+)(?:\s+USING\s+@[\w$]+(?:\s*,\s*@[\w$]+)*)?\s*$/i, node: (m) => ({ type: "execute", name: m[1] }) },
    { pattern: /^(?:DEALLOCATE|DROP)\s+PREPARE\s+([\w$]+)\s*$/i, node: (m) => ({ type: "deallocate", name: m[1] }) },
    {
      pattern: new RegExp(String.raw`^ALTER\s+TABLE\s+(${NAME})\s+(DISABLE|ENABLE)\s+KEYS\s*$`, "i"),
      node: (m) => ({ type: "alter_keys", table: [tableRef(m[1]!)], action: m[2]!.toLowerCase() }),
    },
    {
      pattern: new RegExp(
        String.raw`^ALTER\s+TABLE\s+(${NAME})\s+ALTER\s+(?:COLUMN\s+)?(${NAME})\s+(SET\s+DEFAULT\s+(?:'(?:[^'\\]|''|\\.)*'|-?\d+(?:\.\d+)?|NULL|TRUE|FALSE)|DROP\s+DEFAULT)\s*$`,
        "i",
      ),
      node: (m) => ({
        type: "alter",
        table: [tableRef(m[1]!)],
        expr: [{ type: "alter", action: "alter", resource: "column", column: unquote(m[2]!), default_change: m[3]!.split(/\s+/)[0]!.toLowerCase() }],
      }),
    },
];

/** The first keyword of each UNPARSABLE form, so most statements skip the patterns with one lookup. */
const UNPARSABLE_KEYWORDS = new Set(["PREPARE", "EXECUTE", "DEALLOCATE", "DROP", "ALTER"]);

function recognizeUnparsable(bare: string): AstNode | undefined {
  const keyword = /^[A-Za-z]+/.exec(bare)?.[0]?.toUpperCase();
  if (!keyword || !UNPARSABLE_KEYWORDS.has(keyword)) return undefined;
  for (const { pattern, node } of UNPARSABLE) {
    const match = pattern.exec(bare);
    if (match) return node(match);
  }
  return undefined;
}

const ROUTINE = /^CREATE\s+(?:OR\s+REPLACE\s+)?(?:DEFINER\s*=\s*\S+\s+)?(?:CONSTRAINT\s+)?(PROCEDURE|FUNCTION|TRIGGER|EVENT)\b/i;
/** Where a routine's CREATE starts after other statements in the same text (a DELIMITER block often holds both). */
const ROUTINE_AFTER_STATEMENTS = /;\s*(?=CREATE\s+(?:OR\s+REPLACE\s+)?(?:DEFINER\s*=\s*\S+\s+)?(?:PROCEDURE|FUNCTION|TRIGGER|EVENT)\b)/i;

/**
 * A MySQL routine (procedure, function, trigger, event) the grammar cannot read because of its BEGIN ... END body.
 * Its header says what it is; its body is code no rule reads, which system.routine puts in front of a reviewer.
 */
function routine(text: string): AstNode | undefined {
  const kind = routineKind(text);
  return kind ? { type: "routine", kind } : undefined;
}

/** CREATE PROCEDURE/FUNCTION/TRIGGER/EVENT, detected from the text whether or not it parses. */
export function routineKind(text: string): string | undefined {
  return ROUTINE.exec(stripLeadingComments(text))?.[1]?.toLowerCase();
}

const VIEW = /^CREATE\s+(?:OR\s+REPLACE\s+)?(?:ALGORITHM\s*=\s*\w+\s+)?(?:DEFINER\s*=\s*\S+\s+)?(?:SQL\s+SECURITY\s+\w+\s+)?(?:(?:MATERIALIZED|TEMP|TEMPORARY|RECURSIVE)\s+)*VIEW\b/i;

/** CREATE [MATERIALIZED] VIEW, detected from the text whether or not it parses. */
export function createsView(text: string): boolean {
  return VIEW.test(stripLeadingComments(text));
}

function stripLeadingComments(text: string): string {
  let rest = text;
  for (;;) {
    const trimmed = rest.trimStart();
    if (trimmed.startsWith("--") || trimmed.startsWith("#")) {
      const eol = trimmed.indexOf("\n");
      rest = eol < 0 ? "" : trimmed.slice(eol + 1);
    } else if (trimmed.startsWith("/*") && !trimmed.startsWith("/*!")) {
      const close = trimmed.indexOf("*/");
      rest = close < 0 ? "" : trimmed.slice(close + 2);
    } else {
      return trimmed;
    }
  }
}

function positionInScript(statement: SqlStatement, error: unknown): { line: number; column: number } {
  const start = (error as { location?: { start?: { line?: number; column?: number } } }).location?.start;
  if (!start?.line || !start.column) return { line: statement.line, column: statement.column };
  return {
    line: statement.line + start.line - 1,
    column: start.line === 1 ? statement.column + start.column - 1 : start.column,
  };
}

/** The offset's line and column in the whole script. */
function offsetInScript(statement: SqlStatement, offset: number): { line: number; column: number } {
  const before = statement.text.slice(0, offset).split("\n");
  const lines = before.length - 1;
  return { line: statement.line + lines, column: lines === 0 ? statement.column + offset : before.at(-1)!.length + 1 };
}

/** PostgreSQL's grammar takes column character sets, so the review never removes one: no statement has any to report. */
const NO_CHARSETS: string[] = Object.freeze([]) as unknown as string[];

/** PostgreSQL: its own grammar reads every statement it would run; what it rejects, the server would reject too. */
function parsePostgresStatement(statement: SqlStatement): ParsedStatement {
  try {
    const { nodes, notValid, plain } = parsePostgres(statement.text);
    return { nodes, notValid, columnCharsets: NO_CHARSETS, plain };
  } catch (error) {
    if (!(error instanceof PostgresSyntaxError)) throw error;
    return { nodes: [], notValid: false, columnCharsets: [], failure: { message: error.message, ...offsetInScript(statement, error.offset) } };
  }
}

export function parseStatement(engine: EngineName, statement: SqlStatement): ParsedStatement {
  if (engine === "postgres") return parsePostgresStatement(statement);
  let text = statement.text;
  if (text.startsWith("/*!")) text = text.replace(EXECUTABLE_COMMENT, blank);
  const bare = stripLeadingComments(text).replace(/;\s*$/, "");
  const unparsable = recognizeUnparsable(bare);
  if (unparsable) return { nodes: [unparsable], notValid: false, columnCharsets: [] };
  try {
    return { nodes: astify(engine, text).filter(Boolean), notValid: false, columnCharsets: [] };
  } catch (error) {
    for (const attempt of recoveries(text)) {
      try {
        const nodes = astify(engine, attempt.sql).filter(Boolean);
        attempt.annotate?.(nodes);
        return { nodes, notValid: false, columnCharsets: attempt.columnCharsets };
      } catch {
        // fall through to the next recovery, then to the original error
      }
    }
    for (const { pattern, node } of RECOGNIZED) {
      const match = pattern.exec(bare);
      if (match) return { nodes: [node(match)], notValid: false, columnCharsets: [] };
    }
    const whole = routine(text);
    if (whole) return { nodes: [whole], notValid: false, columnCharsets: [] };
    const split = ROUTINE_AFTER_STATEMENTS.exec(text);
    if (split) {
      const head = parseStatement(engine, { ...statement, text: text.slice(0, split.index + 1) });
      const tail = routine(text.slice(split.index + split[0].length));
      if (!head.failure && tail) return { ...head, nodes: [...head.nodes, tail] };
    }
    const message = error instanceof Error ? error.message : String(error);
    return { nodes: [], notValid: false, columnCharsets: [], failure: { message, ...positionInScript(statement, error) } };
  }
}
