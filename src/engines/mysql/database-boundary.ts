// Whether a MySQL/MariaDB statement sent to database X can reach anything outside X. One instance holds several
// databases (a Test and a Prod one, say), and one account may reach them all: so a statement for X may name only X.
// Deny by default: the statement must be of a kind that acts inside its default database, and every qualified name
// in it must be proved to stay in X, or it is refused. The answer is the reason, or undefined when it stays inside.
import { astify, type AstNode } from "../../review/parse.ts";
import { mysqlCodeTokens, mysqlExecutableText, type CodeToken } from "./code-tokens.ts";

/** Statements that act on the default database (or on nothing), by their first word. Any other is refused. */
const READING = new Set(["SELECT", "WITH", "VALUES", "TABLE", "SHOW", "DESCRIBE", "DESC", "EXPLAIN"]);
const INSIDE_DATABASE = new Set([
  ...READING,
  ...["INSERT", "REPLACE", "UPDATE", "DELETE", "CREATE", "ALTER", "DROP", "TRUNCATE", "RENAME", "ANALYZE", "OPTIMIZE", "CHECK", "CHECKSUM", "REPAIR", "CALL", "SET", "DO", "HANDLER"],
  ...["BEGIN", "START", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE", "LOCK", "UNLOCK"],
  // MariaDB's compound statements outside stored programs (BEGIN NOT ATOMIC …, IF …, FOR …).
  ...["IF", "CASE", "LOOP", "WHILE", "REPEAT", "FOR"],
]);

/** What CREATE/ALTER/DROP may make or remove: objects of the database. Anything else is the server's. */
const DATABASE_OBJECTS = new Set(["TABLE", "VIEW", "INDEX", "TRIGGER", "PROCEDURE", "FUNCTION", "EVENT", "SEQUENCE", "PACKAGE"]);
const SERVER_OBJECTS = new Set(["USER", "ROLE", "SERVER", "TABLESPACE", "LOGFILE", "DATABASE", "SCHEMA"]);

/** Words that, wherever they stand, reach past the database: SQL text run later, files, accounts, other sessions. */
const OUTSIDE_WORDS = new Map<string, string>([
  ...["PREPARE", "EXECUTE"].map((w) => [w, "runs SQL from text that Sluice cannot read before it runs"] as const),
  ...["GRANT", "REVOKE"].map((w) => [w, "changes the server's accounts, which every database on the instance shares"] as const),
  ...["OUTFILE", "DUMPFILE", "INFILE", "LOAD_FILE"].map((w) => [w, "reads or writes the server's files, where every database's data lives"] as const),
  ["SONAME", "loads a library into the server"],
  ["BINLOG", "replays binary-log events, which may write any database"],
  ["CONNECTION", "reaches another connection or server"],
]);
/** Server settings: refused in anything but a read (SHOW GLOBAL VARIABLES and @@GLOBAL.x only read them). */
const SERVER_SETTING_WORDS = new Set(["GLOBAL", "PERSIST", "PERSIST_ONLY"]);

/** Statements that act on the server rather than a database, where a statement starts (also inside a body). */
const SERVER_STATEMENTS = new Set(["FLUSH", "KILL", "SHUTDOWN", "RESTART", "RESET", "PURGE", "INSTALL", "UNINSTALL", "CHANGE", "STOP", "LOAD", "HELP", "XA", "CACHE", "USE"]);
/** Tokens after which a statement starts inside a body (a trigger's FOR EACH ROW, an event's DO, a block). */
const BODY_STATEMENT_STARTS = new Set([";", "BEGIN", "THEN", "ELSE", "DO", "LOOP", "REPEAT", "ATOMIC"]);

/** Engines that keep their rows in the database's own tables; others (FEDERATED, CONNECT, SPIDER…) read elsewhere. */
const LOCAL_ENGINES = new Set(["INNODB", "MYISAM", "ARIA", "MEMORY", "HEAP", "ARCHIVE", "CSV", "BLACKHOLE", "ROCKSDB", "TOKUDB", "COLUMNSTORE", "MRG_MYISAM", "MERGE", "SEQUENCE"]);

/** SHOW forms that list only the default database's objects (or the session's own state, or settings). */
const SHOW_OF_DATABASE = new Set(["TABLES", "TRIGGERS", "EVENTS", "OPEN", "TABLE"]);
const SHOW_OF_TABLE = new Set(["COLUMNS", "FIELDS", "INDEX", "INDEXES", "KEYS"]);
const SHOW_OF_SESSION = new Set(["WARNINGS", "ERRORS", "COUNT", "VARIABLES", "STATUS", "ENGINES", "CHARACTER", "CHARSET", "COLLATION", "PLUGINS", "PRIVILEGES", "PROFILE", "PROFILES"]);
const SHOW_MODIFIERS = new Set(["FULL", "EXTENDED", "GLOBAL", "SESSION", "LOCAL", "STORAGE"]);

/** Why `sql`, run with `database` as the default database, can reach outside it; undefined when it cannot. */
export function mysqlOutsideDatabase(sql: string, database: string): string | undefined {
  // Both readings of backslashes (the server's sql_mode decides, and a statement before may change it); without a
  // backslash they are the same.
  let ast: AstNode[] | null | undefined;
  const parsed = () => (ast === undefined ? (ast = parse(sql)) : ast);
  for (const backslashEscapes of sql.includes("\\") ? [true, false] : [true]) {
    const reason = outside(mysqlCodeTokens(sql, backslashEscapes), database, parsed);
    if (reason) return reason;
  }
  return undefined;
}

/**
 * Index hints, which the parser lacks. Only a hint holding no quote or comment character is blanked: that cannot move
 * where a string or comment ends, so the parse keeps every name the statement's code holds.
 */
const INDEX_HINT = /\b(?:USE|FORCE|IGNORE)\s+(?:INDEX|KEY)(?:\s+FOR\s+(?:JOIN|ORDER\s+BY|GROUP\s+BY))?\s*\([^()'"`#/-]*\)/gi;

function parse(sql: string): AstNode[] | null {
  try {
    return astify("mysql", mysqlExecutableText(sql).replace(INDEX_HINT, (hint) => " ".repeat(hint.length)));
  } catch {
    return null;
  }
}

function outside(tokens: CodeToken[], database: string, parsed: () => AstNode[] | null): string | undefined {
  const first = leadingIndex(tokens);
  const leading = word(tokens[first]);
  if (!INSIDE_DATABASE.has(leading)) {
    if (leading === "USE") return "`USE` switches to another database";
    const why = OUTSIDE_WORDS.get(leading);
    return why ? `\`${leading}\` ${why}` : `\`${leading || "this statement"}\` acts on the server, not on ${database}`;
  }
  const reading = READING.has(leading);
  return (
    leadingProblem(tokens, first, leading, database) ??
    wordProblem(tokens, reading) ??
    statementStartProblem(tokens, first, database) ??
    engineProblem(tokens) ??
    qualifiedNameProblem(tokens, database, leading === "CREATE" && objectOf(tokens, first) === "TRIGGER", parsed)
  );
}

/** The first token of the statement proper: past opening parentheses and a label (`outer: BEGIN NOT ATOMIC`). */
function leadingIndex(tokens: CodeToken[]): number {
  let i = 0;
  while (tokens[i]?.text === "(" && tokens[i]!.kind === "symbol") i++;
  if (tokens[i + 1]?.text === ":" && tokens[i + 1]!.kind === "symbol") i += 2;
  return i;
}

/** A bare word upper-cased, or "" for anything else (a quoted name is never a keyword). */
function word(token: CodeToken | undefined): string {
  return token?.keyword ?? "";
}

function isSymbol(token: CodeToken | undefined, symbol: string): boolean {
  return token?.kind === "symbol" && token.text === symbol;
}

function isName(token: CodeToken | undefined): boolean {
  return token?.kind === "word" || token?.kind === "backtick" || token?.kind === "double";
}

function leadingProblem(tokens: CodeToken[], first: number, leading: string, database: string): string | undefined {
  const next = word(tokens[first + 1]);
  if (leading === "START" && next !== "TRANSACTION") return `\`START ${next}\` acts on the server, not on ${database}`;
  if ((leading === "RENAME" || leading === "LOCK" || leading === "UNLOCK") && next !== "TABLE" && next !== "TABLES") {
    return `\`${leading} ${next}\` acts on the server, not on ${database}`;
  }
  if (leading === "SHOW") return showProblem(tokens, first, database);
  if ((leading === "CREATE" || leading === "ALTER" || leading === "DROP") && objectOf(tokens, first) === undefined) {
    return `Sluice cannot tell what this \`${leading}\` makes, so it cannot hold it to ${database}`;
  }
  return undefined;
}

/** What CREATE/ALTER/DROP at `at` names: its first object word (TABLE, VIEW, USER…), past OR REPLACE, DEFINER=… and the like. */
function objectOf(tokens: CodeToken[], at: number): string | undefined {
  for (let i = at + 1; i < Math.min(tokens.length, at + 16); i++) {
    const object = word(tokens[i]);
    if (DATABASE_OBJECTS.has(object) || SERVER_OBJECTS.has(object)) return object;
  }
  return undefined;
}

function wordProblem(tokens: CodeToken[], reading: boolean): string | undefined {
  for (let i = 0; i < tokens.length; i++) {
    const upper = word(tokens[i]);
    if (!upper) continue;
    const why = OUTSIDE_WORDS.get(upper);
    if (why) return `\`${upper}\` ${why} (if it is a column or table name, quote it with backticks)`;
    if (!reading && SERVER_SETTING_WORDS.has(upper)) return `\`${upper}\` changes a setting of the whole server`;
    if (upper === "USE" && word(tokens[i + 1]) !== "INDEX" && word(tokens[i + 1]) !== "KEY") return `\`USE\` switches to another database`;
  }
  return undefined;
}

/**
 * Statements that act on the server, where any statement starts: the statement itself and each one inside a body
 * (a procedure's, a trigger's, an event's). CREATE/ALTER/DROP of a database must name this one; of an account, a
 * server or a tablespace is refused.
 */
function statementStartProblem(tokens: CodeToken[], first: number, database: string): string | undefined {
  for (let i = first; i < tokens.length; i++) {
    const startsStatement =
      i === first ||
      BODY_STATEMENT_STARTS.has(tokens[i - 1]!.kind === "symbol" ? tokens[i - 1]!.text : word(tokens[i - 1])) ||
      (word(tokens[i - 1]) === "ROW" && word(tokens[i - 2]) === "EACH") ||
      (isSymbol(tokens[i - 1], ":") && isName(tokens[i - 2]));
    if (!startsStatement) continue;
    const upper = word(tokens[i]);
    const next = word(tokens[i + 1]);
    if (SERVER_STATEMENTS.has(upper)) return upper === "USE" ? "`USE` switches to another database" : `\`${upper}\` acts on the server, not on ${database}`;
    if (upper === "START" && next !== "TRANSACTION") return `\`START ${next}\` acts on the server, not on ${database}`;
    if (upper === "SET" && (next === "PASSWORD" || next === "ROLE" || (next === "DEFAULT" && word(tokens[i + 2]) === "ROLE"))) {
      return `\`SET ${next}\` changes the server's accounts, which every database on the instance shares`;
    }
    if (upper === "CREATE" || upper === "ALTER" || upper === "DROP" || upper === "RENAME") {
      const problem = serverObjectProblem(tokens, i, upper, database);
      if (problem) return problem;
    }
  }
  return undefined;
}

function serverObjectProblem(tokens: CodeToken[], at: number, verb: string, database: string): string | undefined {
  let i = at + 1;
  if (word(tokens[i]) === "OR" && word(tokens[i + 1]) === "REPLACE") i += 2;
  const object = word(tokens[i]);
  if (!SERVER_OBJECTS.has(object)) return undefined;
  if (object !== "DATABASE" && object !== "SCHEMA") return `\`${verb} ${object}\` acts on the server, which every database on the instance shares`;
  if (verb === "CREATE") return "`CREATE DATABASE` makes another database; use /db newdb";
  i++;
  if (word(tokens[i]) === "IF") i += word(tokens[i + 1]) === "NOT" ? 3 : 2;
  const name = tokens[i];
  // ALTER DATABASE without a name alters the default database.
  if (verb === "ALTER" && (!isName(name) || ["CHARACTER", "CHARSET", "DEFAULT", "COLLATE", "COMMENT", "READ", "ENCRYPTION", "UPGRADE"].includes(word(name)))) return undefined;
  if (isName(name) && name!.text === database) return undefined;
  return `\`${verb} ${object} ${name?.text ?? ""}\` names another database than ${database}`;
}

function engineProblem(tokens: CodeToken[]): string | undefined {
  for (let i = 0; i < tokens.length; i++) {
    if (word(tokens[i]) !== "ENGINE") continue;
    const value = isSymbol(tokens[i + 1], "=") ? tokens[i + 2] : tokens[i + 1];
    if (!value || value.kind === "symbol" || value.kind === "number") continue;
    if (!LOCAL_ENGINES.has(value.text.toUpperCase())) {
      return `\`ENGINE=${value.text}\` is refused: Sluice allows only engines that keep a table's rows in the table itself, not in another database, server or file`;
    }
  }
  return undefined;
}

function showProblem(tokens: CodeToken[], first: number, database: string): string | undefined {
  let i = first + 1;
  while (SHOW_MODIFIERS.has(word(tokens[i])) && i < tokens.length - 1) i++;
  const what = word(tokens[i]);
  if (what === "CREATE") {
    const object = word(tokens[i + 1]);
    return DATABASE_OBJECTS.has(object) ? undefined : `\`SHOW CREATE ${object}\` shows something outside ${database}`;
  }
  if (what === "GRANTS") {
    const forWhom = word(tokens[i + 2]);
    return word(tokens[i + 1]) === "FOR" && forWhom !== "CURRENT_USER" ? "`SHOW GRANTS FOR` shows another account's privileges" : undefined;
  }
  if (SHOW_OF_SESSION.has(what)) return undefined;
  if (!SHOW_OF_DATABASE.has(what) && !SHOW_OF_TABLE.has(what)) {
    return `\`SHOW ${what}\` lists what lies outside ${database} (other databases, other sessions or the server's logs)`;
  }
  // FROM/IN name a database, except the first one after SHOW COLUMNS/INDEX, which names the table.
  let tableNamed = !SHOW_OF_TABLE.has(what);
  for (let j = i + 1; j < tokens.length; j++) {
    const keyword = word(tokens[j]);
    if ((keyword !== "FROM" && keyword !== "IN") || !isName(tokens[j + 1])) continue;
    if (!tableNamed) {
      tableNamed = true;
      continue;
    }
    if (tokens[j + 1]!.text !== database) return `\`SHOW ${what} ${keyword} ${tokens[j + 1]!.text}\` lists another database than ${database}`;
  }
  return undefined;
}

const SEQUENCE_FUNCTIONS = new Set(["NEXTVAL", "LASTVAL", "SETVAL"]);
/** Words after which a name is a table's. */
const TABLE_SLOTS = new Set(["FROM", "JOIN", "INTO", "UPDATE", "TABLE", "TABLES", "REFERENCES", "LIKE"]);

/** A dotted name as the lexer sees it (`a.b`, `a . b`, `` `a`.`b` ``, `a.b.c`, `a.*`). */
interface QualifiedName {
  parts: string[];
  /** Followed by `(` (a routine, or a table's column list), or a sequence: a database's object, not a column. */
  called: boolean;
  /** Right after FROM, JOIN, INTO, UPDATE…: a table, so `a` in `a.b` is a database. */
  tableSlot: boolean;
}

function qualifiedNames(tokens: CodeToken[]): QualifiedName[] {
  const names: QualifiedName[] = [];
  const isPart = (token: CodeToken | undefined) => isName(token) || isSymbol(token, "*");
  for (let i = 0; i < tokens.length; i++) {
    const head = tokens[i]!;
    if (!isPart(head) || !isSymbol(tokens[i + 1], ".")) continue;
    // A continuation of the name before; a number's decimals (1.5) are no name.
    if (isSymbol(tokens[i - 1], ".") && isPart(tokens[i - 2])) continue;
    // @var.name and @@session.x are variables; user@host.name is an account.
    const before = tokens[i - 1];
    if (isSymbol(before, "@") && before!.start + 1 === head.start) continue;
    const parts = [head.text];
    let j = i;
    while (isSymbol(tokens[j + 1], ".") && (isPart(tokens[j + 2]) || tokens[j + 2]?.kind === "number")) {
      parts.push(tokens[j + 2]!.text);
      j += 2;
    }
    // MariaDB's sequences are tables: NEXTVAL(s), LASTVAL(s), SETVAL(s, n), NEXT/PREVIOUS VALUE FOR s.
    const sequence = (isSymbol(before, "(") && SEQUENCE_FUNCTIONS.has(word(tokens[i - 2]))) || word(before) === "FOR";
    if (parts.length > 1) names.push({ parts, called: isSymbol(tokens[j + 1], "(") || sequence, tableSlot: TABLE_SLOTS.has(word(before)) });
  }
  return names;
}

/**
 * Every qualified name must stay in the database: one whose first part is the database is fine; three parts, or a
 * routine called by a qualified name, name a database; two parts (`a.b`) are a column of table or alias `a` only if
 * the parser reads them so — where it cannot parse the statement, or reads any other database anywhere, it is refused.
 */
function qualifiedNameProblem(tokens: CodeToken[], database: string, trigger: boolean, parsed: () => AstNode[] | null): string | undefined {
  const columnQualified: QualifiedName[] = [];
  for (const name of qualifiedNames(tokens)) {
    const [qualifier] = name.parts;
    if (qualifier === database) continue;
    const written = `\`${name.parts.join(".")}\``;
    if (name.parts.length > 2) return `${written} names database \`${qualifier}\``;
    if (name.called) return `${written} names an object of database \`${qualifier}\``;
    // A trigger's NEW.x and OLD.x are its row's columns (a database named new or old, in a table's place, is not).
    if (trigger && /^(NEW|OLD)$/i.test(qualifier!) && !name.tableSlot) continue;
    columnQualified.push(name);
  }
  if (columnQualified.length === 0) return undefined;
  const nodes = parsed();
  if (!nodes) {
    const [qualifier, name] = columnQualified[0]!.parts;
    return (
      `Sluice could not parse this statement, so it cannot tell whether \`${qualifier}.${name}\` is a column of table \`${qualifier}\` or ` +
      `table \`${name}\` of database \`${qualifier}\`. Write the column without its table, or as \`${database}.${qualifier}.${name}\``
    );
  }
  const { databases, columns } = readAst(nodes);
  const other = databases.find((name) => name !== database);
  if (other !== undefined) {
    const written = columnQualified.find((name) => name.parts[0] === other);
    return `\`${written ? written.parts.join(".") : other}\` names database \`${other}\``;
  }
  for (const name of columnQualified) {
    const key = name.parts.join(".");
    const left = columns.get(key) ?? 0;
    if (left === 0) return `\`${key}\` names database \`${name.parts[0]}\``;
    columns.set(key, left - 1);
  }
  return undefined;
}

/** What the parser read: every database it names anywhere, and how often each `table.column` reference occurs. */
function readAst(nodes: AstNode[]): { databases: string[]; columns: Map<string, number> } {
  const databases: string[] = [];
  const columns = new Map<string, number>();
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) {
      node.forEach(visit);
      return;
    }
    if (!node || typeof node !== "object") return;
    const object = node as AstNode;
    const db = nameOf(object.db);
    if (db) databases.push(db);
    if (object.type === "function") {
      const schema = nameOf(object.name?.schema);
      if (schema) databases.push(schema);
    }
    if (Array.isArray(object.tableList)) {
      for (const entry of object.tableList as unknown[]) {
        const db = String(entry).split("::")[1];
        if (db && db !== "null") databases.push(db);
      }
    }
    // A column reference, or an UPDATE's assignment ({ table, column, value }), which the parser keeps untyped.
    if (object.type === "column_ref" || (object.type === undefined && "value" in object && "column" in object)) {
      const table = nameOf(object.table);
      const column = nameOf(object.column) ?? nameOf(object.column?.expr);
      if (table && column) columns.set(`${table}.${column}`, (columns.get(`${table}.${column}`) ?? 0) + 1);
    }
    for (const value of Object.values(object)) visit(value);
  };
  visit(nodes);
  return { databases, columns };
}

/** A name as node-sql-parser keeps it: a string, or `{ type, value }` for a quoted one. */
function nameOf(value: unknown): string | undefined {
  if (typeof value === "string") return value || undefined;
  if (value && typeof value === "object" && typeof (value as AstNode).value === "string") return (value as AstNode).value || undefined;
  return undefined;
}
