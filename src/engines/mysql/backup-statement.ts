// Reads the shape of one MySQL/MariaDB data-change statement: its target table and the user's own WHERE, ORDER BY
// and LIMIT text, so the backup selects exactly the rows the statement will touch. Forms it cannot vouch for are refused.
import { topLevelWords, type TopLevelWord } from "../sql-lexer.ts";
import { mysqlDialect } from "./split.ts";

/** A table as a statement names it: the database when it says one, and the table. */
export interface NamedTable {
  schema: string | undefined;
  table: string;
}

export type RowChangeStatement = {
  kind: "update" | "delete";
  target: NamedTable;
  /** The table reference as written (name, PARTITION, alias): what the backup's SELECT reads FROM. */
  tableText: string;
  /** UPDATE's assignments. */
  setText: string;
  whereText: string | undefined;
  orderText: string | undefined;
  limitText: string | undefined;
};

export type DataStatement =
  | RowChangeStatement
  | { kind: "insert"; target: NamedTable }
  | { kind: "other" }
  | { kind: "refused"; reason: string };

/** Statements that change no rows and need no rollback. */
const ROWLESS = new Set(["SELECT", "SET", "DO", "SHOW", "EXPLAIN", "DESCRIBE", "DESC", "VALUES", "TABLE", "HELP", ""]);
const MODIFIERS = new Set(["LOW_PRIORITY", "HIGH_PRIORITY", "DELAYED", "QUICK", "IGNORE"]);
/** Functions whose value differs between the backup's SELECT and the statement: their rows cannot be told up front. */
const NONDETERMINISTIC = /\b(?:RAND|UUID|UUID_SHORT|SYSDATE|RANDOM_BYTES)\s*\(/i;
const NAME = "(?:`(?:[^`]|``)+`|[A-Za-z0-9_$]+)";
/** `[db.]table [PARTITION (…)] [[AS] alias]`, and nothing else: one table. */
const SINGLE_TABLE = new RegExp(`^(${NAME})(?:\\s*\\.\\s*(${NAME}))?(?:\\s+PARTITION\\s*\\([^)]*\\))?(?:\\s+(?:AS\\s+)?${NAME})?$`, "i");

export function readDataStatement(sql: string): DataStatement {
  const words = topLevelWords(sql, mysqlDialect);
  const first = words[0]?.word ?? "";
  if (first === "UPDATE") return readUpdate(sql, words);
  if (first === "DELETE") return readDelete(sql, words);
  if (first === "INSERT") return readInsert(sql, words);
  if (first === "REPLACE") return refused("REPLACE deletes the rows it conflicts with, which cannot be told up front");
  if (first === "WITH") return refused("it starts with a WITH clause (CTE)");
  if (first === "CALL") return refused("a procedure's changes cannot be backed up");
  if (ROWLESS.has(first)) return { kind: "other" };
  return refused(`${first} statements cannot be backed up`);
}

function readUpdate(sql: string, words: TopLevelWord[]): DataStatement {
  const setAt = words.findIndex((w) => w.word === "SET");
  if (setAt < 0) return refused("its SET clause was not found");
  let at = 1;
  while (MODIFIERS.has(words[at]?.word ?? "")) at++;
  const tableText = sql.slice(words[at - 1]!.end, words[setAt]!.start).trim();
  const target = singleTable(tableText);
  if (!target) return refused("a multi-table UPDATE is not supported; write it as one UPDATE per table (e.g. WHERE id IN (SELECT …))");
  const clauses = tailClauses(sql, words, setAt + 1);
  return { kind: "update", target, tableText, setText: sql.slice(words[setAt]!.end, clauses.setEnd).trim(), ...clauses.texts };
}

function readDelete(sql: string, words: TopLevelWord[]): DataStatement {
  const fromAt = words.findIndex((w) => w.word === "FROM");
  if (fromAt < 0 || words.slice(1, fromAt).some((w) => !MODIFIERS.has(w.word))) {
    return refused("a multi-table DELETE is not supported; write it as one DELETE per table (e.g. WHERE id IN (SELECT …))");
  }
  if (words.some((w) => w.word === "USING")) return refused("a multi-table DELETE … USING is not supported");
  if (words.some((w) => w.word === "RETURNING")) return refused("DELETE … RETURNING is not supported");
  const clauses = tailClauses(sql, words, fromAt + 1);
  const tableText = sql.slice(words[fromAt]!.end, clauses.setEnd).trim();
  const target = singleTable(tableText);
  if (!target) return refused("a multi-table DELETE is not supported; write it as one DELETE per table");
  return { kind: "delete", target, tableText, setText: "", ...clauses.texts };
}

function readInsert(sql: string, words: TopLevelWord[]): DataStatement {
  const on = words.findIndex((w, i) => w.word === "ON" && words[i + 1]?.word === "DUPLICATE");
  if (on >= 0) return refused("INSERT … ON DUPLICATE KEY UPDATE changes existing rows too");
  if (words.some((w) => w.word === "RETURNING")) return refused("it already has a RETURNING clause");
  let at = 1;
  while (MODIFIERS.has(words[at]?.word ?? "")) at++;
  if (words[at]?.word === "INTO") at++;
  const name = new RegExp(`^\\s*(${NAME})(?:\\s*\\.\\s*(${NAME}))?`).exec(sql.slice(words[at - 1]!.end));
  if (!name) return refused("its target table was not recognized");
  return { kind: "insert", target: named(name[1]!, name[2]) };
}

/** Where UPDATE's SET (or DELETE's table) ends, and the WHERE, ORDER BY and LIMIT texts after it. */
function tailClauses(sql: string, words: TopLevelWord[], from: number) {
  const rest = words.slice(from);
  const where = rest.find((w) => w.word === "WHERE");
  const orderAt = rest.findIndex((w, i) => w.word === "ORDER" && rest[i + 1]?.word === "BY");
  const order = orderAt >= 0 ? rest[orderAt + 1] : undefined;
  const limit = rest.find((w) => w.word === "LIMIT");
  const ends = [orderAt >= 0 ? rest[orderAt]!.start : undefined, limit?.start, sql.length];
  const endOf = (after: number): number => ends.find((end) => end !== undefined && end > after)!;
  return {
    setEnd: where?.start ?? ends.find((end) => end !== undefined)!,
    texts: {
      whereText: where ? sql.slice(where.end, endOf(where.end)).trim() : undefined,
      orderText: order ? sql.slice(order.end, endOf(order.end)).trim() : undefined,
      limitText: limit ? sql.slice(limit.end).trim() : undefined,
    },
  };
}

/** Why the rows a statement's WHERE selects might not be the ones it changes; undefined when they are. */
export function nondeterminism(statement: RowChangeStatement): string | undefined {
  const text = `${statement.whereText ?? ""} ${statement.orderText ?? ""}`;
  const call = NONDETERMINISTIC.exec(text)?.[0];
  return call ? `its WHERE or ORDER BY calls ${call.replace(/\s*\($/, "")}(), whose value differs from one evaluation to the next` : undefined;
}

/**
 * The columns an UPDATE's SET assigns, as named (a qualifier dropped, backticks undone); undefined when an assignment
 * does not read as `[[db.]table.]column = …`, so no column can be said to be left alone.
 */
export function assignedColumns(setText: string): string[] | undefined {
  const words = topLevelWords(setText, mysqlDialect);
  const starts = [0, ...words.filter((w) => w.word === ",").map((w) => w.end)];
  const columns: string[] = [];
  for (const start of starts) {
    const target = new RegExp(`^\\s*(?:${NAME}\\s*\\.\\s*){0,2}(${NAME})\\s*=`).exec(setText.slice(start));
    if (!target) return undefined;
    columns.push(unquote(target[1]!));
  }
  return columns;
}

function singleTable(text: string): NamedTable | undefined {
  const match = SINGLE_TABLE.exec(text);
  return match ? named(match[1]!, match[2]) : undefined;
}

function named(first: string, second: string | undefined): NamedTable {
  return second === undefined ? { schema: undefined, table: unquote(first) } : { schema: unquote(first), table: unquote(second) };
}

function unquote(name: string): string {
  return name.startsWith("`") ? name.slice(1, -1).replaceAll("``", "`") : name;
}

function refused(reason: string): DataStatement {
  return { kind: "refused", reason };
}
