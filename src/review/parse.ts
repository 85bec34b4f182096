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
  /** Restores to the AST what the rewrite removed (identity columns, partitioning). */
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

function mysqlTableRecovery(text: string): Recovery | undefined {
  const columnCharsets: string[] = [];
  let sql = text.replace(COLUMN_CHARSET, (match: string, charset: string, offset: number) => {
    // Table options (`DEFAULT CHARSET=x`, `CHARSET=x`) parse fine; only the clauses without `=` are column-level.
    if (/DEFAULT\s*$/i.test(text.slice(Math.max(0, offset - 12), offset))) return match;
    columnCharsets.push(charset.toLowerCase());
    return blank(match);
  });
  sql = sql.replace(MYSQL_NATIONAL_TYPE, (_match, type: string) => {
    columnCharsets.push("utf8");
    return ` ${type}`;
  });
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
  const annotate = partitioned
    ? (nodes: AstNode[]) => {
        for (const node of nodes) node.table_options = [...asList(node.table_options), { keyword: "partition by", value: "" }];
      }
    : undefined;
  return { sql, notValid: false, columnCharsets, annotate };
}

const IDENTITY = /\bGENERATED\s+(?:ALWAYS|BY\s+DEFAULT)\s+AS\s+IDENTITY\b(\s*\([^()]*\))?/gi;
const PG_INDEX_METHOD = /^(\s*CREATE\s+(?:UNIQUE\s+)?INDEX\b[^(]*?\bON\s+(?:ONLY\s+)?[\w"$.]+\s+)USING\s+(?:brin|spgist|bloom)\b/i;

const PG_CONCURRENT_IF_NOT_EXISTS = /^(\s*CREATE\s+(?:UNIQUE\s+)?INDEX\s+CONCURRENTLY\s+)IF\s+NOT\s+EXISTS\b/i;

/** The column a definition clause belongs to: the first identifier after the enclosing `(` or `,`. */
function definitionColumn(text: string, offset: number): string | undefined {
  let depth = 0;
  let i = offset - 1;
  for (; i >= 0; i--) {
    const char = text[i];
    if (char === ")") depth++;
    else if (char === "(" && depth-- === 0) break;
    else if (char === "," && depth === 0) break;
  }
  const head = /^\s*(?:ADD\s+(?:COLUMN\s+)?(?:IF\s+NOT\s+EXISTS\s+)?)?("[^"]+"|[\w$]+)/i.exec(text.slice(i + 1, offset));
  return head?.[1]?.replace(/^"|"$/g, "");
}

function postgresRecovery(text: string): Recovery | undefined {
  const hasNotValid = NOT_VALID.test(text);
  NOT_VALID.lastIndex = 0;
  let sql = hasNotValid ? text.replace(NOT_VALID, blank) : text;
  if (ALTER_ONLY.test(sql)) sql = sql.replace(ALTER_ONLY, (_match, head: string) => head + "    ");
  const identityColumns: string[] = [];
  sql = sql.replace(IDENTITY, (match: string, _options: string, offset: number) => {
    const column = definitionColumn(sql, offset);
    if (column) identityColumns.push(column.toLowerCase());
    return blank(match);
  });
  sql = sql.replace(PG_CONCURRENT_IF_NOT_EXISTS, (match, head: string) => head + blank(match.slice(head.length)));
  sql = sql.replace(PG_INDEX_METHOD, (match, head: string) => head + blank(match.slice(head.length)));
  if (sql === text) return undefined;
  const annotate = identityColumns.length > 0
    ? (nodes: AstNode[]) => {
        for (const node of nodes) {
          const definitions = [...asList(node.create_definitions), ...asList(node.expr)];
          for (const definition of definitions) {
            const name = columnText(definition.column).toLowerCase();
            if (definition.resource === "column" && identityColumns.includes(name)) definition.generated = { type: "identity" };
          }
        }
      }
    : undefined;
  return { sql, notValid: hasNotValid, columnCharsets: [], annotate };
}

const asList = (value: unknown): AstNode[] => (Array.isArray(value) ? value : value ? [value as AstNode] : []);
const columnText = (ref: unknown): string => {
  if (typeof ref === "string") return ref;
  const node = ref as AstNode | undefined;
  return typeof node?.value === "string" ? node.value : node ? columnText(node.column ?? node.expr) : "";
};

function recoveries(engine: EngineName, text: string): Recovery[] {
  if (engine === "mysql") {
    const recovery = /^\s*(?:CREATE|ALTER)\s+TABLE\b/i.test(text) ? mysqlTableRecovery(text) : undefined;
    return recovery ? [recovery] : [];
  }
  const recovery = postgresRecovery(text);
  return recovery ? [recovery] : [];
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
const UNPARSABLE: Record<EngineName, Array<{ pattern: RegExp; node: (match: RegExpExecArray) => AstNode }>> = {
  mysql: [
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
  ],
  postgres: [
    { pattern: /^SET\s+(?:SESSION\s+|LOCAL\s+)?ROLE\s+\S+\s*$/i, node: () => ({ type: "set_role" }) },
    {
      pattern: new RegExp(String.raw`^CREATE\s+DATABASE\s+(${NAME})(?:\s+WITH)?((?:\s+\w+\s*=?\s*(?:'[^']*'|[\w"]+))*)\s*$`, "i"),
      node: (m) => ({ type: "create", keyword: "database", encoding: /\bENCODING\s*=?\s*'?([\w-]+)/i.exec(m[2]!)?.[1] }),
    },
    {
      pattern: new RegExp(String.raw`^ALTER\s+TABLE\s+(?:IF\s+EXISTS\s+)?(?:ONLY\s+)?(${NAME})\s+ATTACH\s+PARTITION\s+(${NAME})\s+(?:FOR\s+VALUES\s+(?:FROM|IN|WITH)\s*\(.*\)|DEFAULT)\s*$`, "is"),
      node: (m) => ({
        type: "alter",
        keyword: "table",
        table: [tableRef(m[1]!)],
        expr: [{ type: "alter", action: "attach", resource: "partition", partition: unquote(m[2]!) }],
      }),
    },
    {
      pattern: new RegExp(
        String.raw`^ALTER\s+TABLE\s+(?:IF\s+EXISTS\s+)?(?:ONLY\s+)?(${NAME})\s+ALTER\s+(?:COLUMN\s+)?(${NAME})\s+SET\s+STORAGE\s+(PLAIN|EXTERNAL|EXTENDED|MAIN|DEFAULT)\s*$`,
        "i",
      ),
      node: (m) => ({
        type: "alter",
        keyword: "table",
        table: [tableRef(m[1]!)],
        expr: [{ type: "alter", action: "alter", resource: "column", column: unquote(m[2]!), storage: m[3]!.toLowerCase() }],
      }),
    },
    {
      pattern: new RegExp(String.raw`^ALTER\s+TABLE\s+(?:IF\s+EXISTS\s+)?(?:ONLY\s+)?(${NAME})\s+DROP\s+CONSTRAINT\s+IF\s+EXISTS\s+(${NAME})(?:\s+(CASCADE|RESTRICT))?\s*$`, "i"),
      node: (m) => ({
        type: "alter",
        keyword: "table",
        table: [tableRef(m[1]!)],
        expr: [{ type: "alter", action: "drop", resource: "constraint", keyword: "constraint", constraint: unquote(m[2]!) }],
        cascade: m[3]?.toUpperCase() === "CASCADE",
      }),
    },
    {
      pattern: new RegExp(String.raw`^ALTER\s+TYPE\s+(${NAME})\s+ADD\s+VALUE\s+(?:IF\s+NOT\s+EXISTS\s+)?'((?:[^']|'')*)'(?:\s+(?:BEFORE|AFTER)\s+'(?:[^']|'')*')?\s*$`, "i"),
      node: (m) => ({ type: "alter_type", name: unquote(m[1]!), addValue: m[2] }),
    },
    {
      pattern: new RegExp(String.raw`^CLUSTER(?:\s+VERBOSE)?(?:\s+(${NAME})(?:\s+USING\s+${NAME})?)?\s*$`, "i"),
      node: (m) => ({ type: "cluster", table: m[1] ? [tableRef(m[1])] : [] }),
    },
    {
      pattern: new RegExp(String.raw`^REINDEX(?:\s*\(([^)]*)\))?\s+(INDEX|TABLE|SCHEMA|DATABASE|SYSTEM)\s+(CONCURRENTLY\s+)?(${NAME})?\s*$`, "i"),
      node: (m) => ({ type: "reindex", keyword: m[2]!.toLowerCase(), concurrently: Boolean(m[3]) || /\bCONCURRENTLY\b/i.test(m[1] ?? "") }),
    },
    {
      pattern: new RegExp(String.raw`^ALTER\s+INDEX\s+(?:IF\s+EXISTS\s+)?(${NAME})\s+RENAME\s+TO\s+(${NAME})\s*$`, "i"),
      node: (m) => ({ type: "alter_index", index: unquote(m[1]!), rename: unquote(m[2]!) }),
    },
    {
      pattern: new RegExp(String.raw`^DROP\s+(MATERIALIZED\s+VIEW|SEQUENCE|EXTENSION|DOMAIN)\s+(?:IF\s+EXISTS\s+)?(${NAMES})(?:\s+(CASCADE|RESTRICT))?\s*$`, "i"),
      node: (m) => ({ type: "drop", keyword: m[1]!.toLowerCase().replace(/\s+/g, " "), names: m[2], cascade: m[3]?.toUpperCase() === "CASCADE" }),
    },
  ],
};

/** The first keyword of each UNPARSABLE form, so most statements skip the patterns with one lookup. */
const UNPARSABLE_KEYWORDS: Record<EngineName, Set<string>> = {
  mysql: new Set(["PREPARE", "EXECUTE", "DEALLOCATE", "DROP", "ALTER"]),
  postgres: new Set(["ALTER", "CLUSTER", "REINDEX", "DROP", "SET", "CREATE"]),
};

function recognizeUnparsable(engine: EngineName, bare: string): AstNode | undefined {
  const keyword = /^[A-Za-z]+/.exec(bare)?.[0]?.toUpperCase();
  if (!keyword || !UNPARSABLE_KEYWORDS[engine].has(keyword)) return undefined;
  for (const { pattern, node } of UNPARSABLE[engine]) {
    const match = pattern.exec(bare);
    if (match) return node(match);
  }
  return undefined;
}

const ROUTINE = /^CREATE\s+(?:OR\s+REPLACE\s+)?(?:DEFINER\s*=\s*\S+\s+)?(?:CONSTRAINT\s+)?(PROCEDURE|FUNCTION|TRIGGER|EVENT)\b/i;

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

export function parseStatement(engine: EngineName, statement: SqlStatement): ParsedStatement {
  let text = statement.text;
  if (engine === "mysql" && text.startsWith("/*!")) text = text.replace(EXECUTABLE_COMMENT, blank);
  const bare = stripLeadingComments(text).replace(/;\s*$/, "");
  const unparsable = recognizeUnparsable(engine, bare);
  if (unparsable) return { nodes: [unparsable], notValid: false, columnCharsets: [] };
  try {
    return { nodes: astify(engine, text).filter(Boolean), notValid: false, columnCharsets: [] };
  } catch (error) {
    for (const attempt of recoveries(engine, text)) {
      try {
        const nodes = astify(engine, attempt.sql).filter(Boolean);
        attempt.annotate?.(nodes);
        return { nodes, notValid: attempt.notValid, columnCharsets: attempt.columnCharsets };
      } catch {
        // fall through to the next recovery, then to the original error
      }
    }
    for (const { pattern, node } of RECOGNIZED) {
      const match = pattern.exec(bare);
      if (match) return { nodes: [node(match)], notValid: false, columnCharsets: [] };
    }
    const message = error instanceof Error ? error.message : String(error);
    return { nodes: [], notValid: false, columnCharsets: [], failure: { message, ...positionInScript(statement, error) } };
  }
}
