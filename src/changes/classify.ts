// Tells schema statements (DDL) from data statements (DML) by their leading keyword, for both engines.
export type StatementKind = "schema" | "data" | "other";

const schemaKeywords = new Set(["CREATE", "ALTER", "DROP", "TRUNCATE", "RENAME", "COMMENT"]);
const dataKeywords = new Set(["INSERT", "UPDATE", "DELETE", "REPLACE", "MERGE", "UPSERT", "COPY", "LOAD"]);

/** The first keyword of a statement, skipping leading comments and an opening parenthesis or WITH clause. */
export function leadingKeyword(statement: string): string {
  const text = statement.replace(/^(\s+|--[^\n]*\n?|#[^\n]*\n?|\/\*(?!!)[\s\S]*?\*\/)+/, "");
  const match = /^[(\s]*([A-Za-z]+)/.exec(text);
  return match ? match[1]!.toUpperCase() : "";
}

export function classifyStatement(statement: string): StatementKind {
  const keyword = leadingKeyword(statement);
  if (schemaKeywords.has(keyword)) return "schema";
  if (dataKeywords.has(keyword)) return "data";
  if (keyword === "WITH") {
    // A CTE that ends in a write is a data statement; a bare WITH … SELECT is not a change at all.
    return /\b(INSERT|UPDATE|DELETE)\b/i.test(statement) ? "data" : "other";
  }
  return "other";
}
