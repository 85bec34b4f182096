// Reads the shape of one PostgreSQL data-change statement: its target table and the user's own WHERE text,
// so the backup selects exactly the rows the statement will touch. Forms it cannot vouch for are refused.
import { topLevelWords, type TopLevelWord } from "../sql-lexer.ts";
import { postgresDialect } from "./split.ts";

export type DataStatement =
  | { kind: "update"; table: string; tableText: string; setText: string; whereText: string | undefined }
  | { kind: "delete"; table: string; tableText: string; whereText: string | undefined }
  | { kind: "insert"; table: string }
  | { kind: "other" }
  | { kind: "refused"; reason: string };


/** Statements that change no rows and need no rollback. */
const ROWLESS = new Set(["SELECT", "SET", "SHOW", "EXPLAIN", "VALUES", "TABLE", ""]);
const NAME_CHAIN = /^\s*(?:ONLY\s+)?((?:"(?:[^"]|"")+"|[A-Za-z_][\w$]*)(?:\s*\.\s*(?:"(?:[^"]|"")+"|[A-Za-z_][\w$]*)){0,2})/i;

export function readDataStatement(sql: string): DataStatement {
  const words = topLevelWords(sql, postgresDialect);
  const first = words[0]?.word ?? "";
  const after = (name: string, from = 0): TopLevelWord | undefined => words.slice(from).find((w) => w.word === name);
  const index = (word: TopLevelWord | undefined): number => (word ? words.indexOf(word) : -1);
  if (first === "WITH") return refused("it starts with a WITH clause (CTE)");
  if (first === "MERGE") return refused("MERGE is not supported");
  if (first === "UPDATE") {
    const set = after("SET", 1);
    if (!set) return refused("its SET clause was not found");
    // FROM after DISTINCT is the IS [NOT] DISTINCT FROM operator, not a FROM clause.
    if (words.slice(index(set)).some((w, i, rest) => w.word === "FROM" && rest[i - 1]?.word !== "DISTINCT")) {
      return refused("UPDATE … FROM is not supported");
    }
    const where = after("WHERE", index(set));
    if (where && words[index(where) + 1]?.word === "CURRENT") return refused("WHERE CURRENT OF is not supported");
    const returning = after("RETURNING", index(set));
    const tableText = sql.slice(words[0]!.end, set.start).trim();
    const table = nameOf(tableText);
    if (!table) return refused("its target table was not recognized");
    const setEnd = where?.start ?? returning?.start ?? sql.length;
    return { kind: "update", table, tableText, setText: sql.slice(set.end, setEnd), whereText: whereOf(sql, where, returning) };
  }
  if (first === "DELETE") {
    const from = words[1]?.word === "FROM" ? words[1] : undefined;
    if (!from) return refused("DELETE without FROM was not recognized");
    if (after("USING", 2)) return refused("DELETE … USING is not supported");
    const where = after("WHERE", 2);
    if (where && words[index(where) + 1]?.word === "CURRENT") return refused("WHERE CURRENT OF is not supported");
    const returning = after("RETURNING", 2);
    const tableText = sql.slice(from.end, where?.start ?? returning?.start ?? sql.length).trim();
    const table = nameOf(tableText);
    if (!table) return refused("its target table was not recognized");
    return { kind: "delete", table, tableText, whereText: whereOf(sql, where, returning) };
  }
  if (first === "INSERT") {
    if (words[1]?.word !== "INTO") return refused("INSERT without INTO was not recognized");
    const on = words.findIndex((w, i) => w.word === "ON" && words[i + 1]?.word === "CONFLICT");
    if (on >= 0 && words.slice(on).some((w, i) => w.word === "DO" && words[on + i + 1]?.word === "UPDATE")) {
      return refused("INSERT … ON CONFLICT DO UPDATE changes existing rows too");
    }
    if (after("RETURNING", 2)) return refused("it already has a RETURNING clause, so Sluice cannot add its own to capture the new keys");
    const table = nameOf(sql.slice(words[1].end));
    if (!table) return refused("its target table was not recognized");
    return { kind: "insert", table };
  }
  if (ROWLESS.has(first)) return { kind: "other" };
  return refused(`${first} statements cannot be backed up`);
}

function refused(reason: string): DataStatement {
  return { kind: "refused", reason };
}

function nameOf(text: string): string | undefined {
  return NAME_CHAIN.exec(text)?.[1];
}

function whereOf(sql: string, where: TopLevelWord | undefined, returning: TopLevelWord | undefined): string | undefined {
  return where ? sql.slice(where.end, returning && returning.start > where.start ? returning.start : sql.length).trim() : undefined;
}
