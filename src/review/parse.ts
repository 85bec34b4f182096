// Parses each statement once with node-sql-parser, recovering a few forms its grammars miss.
import mysqlGrammar from "node-sql-parser/build/mysql.js";
import postgresGrammar from "node-sql-parser/build/postgresql.js";
import type { EngineName, SqlStatement } from "../engines/engine.ts";

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
  /** PostgreSQL `NOT VALID` was present (the grammar does not keep it). */
  notValid: boolean;
  /** MySQL column-level `CHARACTER SET x` clauses, which the grammar rejects and the recovery removes. */
  columnCharsets: string[];
}

const parsers = {
  mysql: { parser: new mysqlGrammar.Parser(), database: "MySQL" },
  postgres: { parser: new postgresGrammar.Parser(), database: "PostgresQL" },
} as const;

/** The bare parse, exactly as the review calls it (the benchmark's baseline). */
export function astify(engine: EngineName, sql: string): AstNode[] {
  const { parser, database } = parsers[engine];
  const ast = parser.astify(sql, { database }) as AstNode | AstNode[];
  return Array.isArray(ast) ? ast : [ast];
}

const blank = (match: string): string => match.replace(/[^\n]/g, " ");
const NOT_VALID = /\bNOT\s+VALID\b/gi;
const ALTER_ONLY = /^(\s*ALTER\s+TABLE\s+(?:IF\s+EXISTS\s+)?)ONLY\b/i;
const EXECUTABLE_COMMENT = /^\/\*!\d*|\*\/\s*$/g;

/** Rewrites that keep every offset in place (removed text becomes spaces), so error positions stay true. */
const COLUMN_CHARSET = /\b(?:CHARACTER\s+SET|CHARSET)\s+['"`]?(\w+)['"`]?/gi;

interface Recovery {
  sql: string;
  notValid: boolean;
  columnCharsets: string[];
}

function recoveries(engine: EngineName, text: string): Recovery[] {
  const attempts: Recovery[] = [];
  if (engine === "mysql" && /^\s*(?:CREATE|ALTER)\s+TABLE\b/i.test(text) && COLUMN_CHARSET.test(text)) {
    COLUMN_CHARSET.lastIndex = 0;
    const columnCharsets: string[] = [];
    // Table options (`DEFAULT CHARSET=x`, `CHARSET=x`) parse fine; only the clauses without `=` are column-level.
    const sql = text.replace(COLUMN_CHARSET, (match: string, charset: string, offset: number) => {
      if (/DEFAULT\s*$/i.test(text.slice(Math.max(0, offset - 12), offset))) return match;
      columnCharsets.push(charset.toLowerCase());
      return blank(match);
    });
    attempts.push({ sql, notValid: false, columnCharsets });
  }
  COLUMN_CHARSET.lastIndex = 0;
  if (engine === "postgres") {
    const hasNotValid = NOT_VALID.test(text);
    NOT_VALID.lastIndex = 0;
    const hasOnly = ALTER_ONLY.test(text);
    if (hasNotValid || hasOnly) {
      let sql = hasNotValid ? text.replace(NOT_VALID, blank) : text;
      if (hasOnly) sql = sql.replace(ALTER_ONLY, (_match, head: string) => head + "    ");
      attempts.push({ sql, notValid: hasNotValid, columnCharsets: [] });
    }
  }
  return attempts;
}

/** Statements the grammars cannot read but whose meaning is plain from their text. */
const RECOGNIZED: Array<{ pattern: RegExp; node: (match: RegExpExecArray) => AstNode }> = [
  {
    pattern: /^VACUUM\b(?:\s*\(([^)]*)\))?(\s+FULL\b)?/i,
    node: (m) => ({ type: "vacuum", full: Boolean(m[2]) || /\bFULL\b/i.test(m[1] ?? "") }),
  },
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

const ROUTINE = /^CREATE\s+(?:OR\s+REPLACE\s+)?(?:DEFINER\s*=\s*\S+\s+)?(?:CONSTRAINT\s+)?(PROCEDURE|FUNCTION|TRIGGER|EVENT)\b/i;

/** CREATE PROCEDURE/FUNCTION/TRIGGER/EVENT, detected from the text whether or not it parses. */
export function routineKind(text: string): string | undefined {
  return ROUTINE.exec(stripLeadingComments(text))?.[1]?.toLowerCase();
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

export function parseStatement(engine: EngineName, statement: SqlStatement): ParsedStatement {
  let text = statement.text;
  if (engine === "mysql" && text.startsWith("/*!")) text = text.replace(EXECUTABLE_COMMENT, blank);
  try {
    return { nodes: astify(engine, text).filter(Boolean), notValid: false, columnCharsets: [] };
  } catch (error) {
    for (const attempt of recoveries(engine, text)) {
      try {
        const nodes = astify(engine, attempt.sql).filter(Boolean);
        return { nodes, notValid: attempt.notValid, columnCharsets: attempt.columnCharsets };
      } catch {
        // fall through to the next recovery, then to the original error
      }
    }
    const bare = stripLeadingComments(text).replace(/;\s*$/, "");
    for (const { pattern, node } of RECOGNIZED) {
      const match = pattern.exec(bare);
      if (match) return { nodes: [node(match)], notValid: false, columnCharsets: [] };
    }
    const message = error instanceof Error ? error.message : String(error);
    return { nodes: [], notValid: false, columnCharsets: [], failure: { message, ...positionInScript(statement, error) } };
  }
}
