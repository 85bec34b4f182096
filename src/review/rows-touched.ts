// The rows an UPDATE or DELETE touches, as a SELECT built from its parse tree: what MariaDB can explain read-only.
import type { EngineName } from "../engines/engine.ts";
import { sqlify, type AstNode } from "./parse.ts";

/** `SELECT 1 FROM <its tables> WHERE … ORDER BY … LIMIT …`, or undefined when the statement is no UPDATE/DELETE or cannot be printed. */
export function rowsTouchedSelect(engine: EngineName, node: AstNode): string | undefined {
  if (node.type !== "update" && node.type !== "delete") return undefined;
  const select = {
    type: "select",
    columns: [{ expr: { type: "number", value: 1 }, as: null }],
    from: node.type === "update" ? node.table : node.from,
    where: node.where ?? null,
    orderby: node.orderby ?? null,
    limit: node.limit ?? null,
  };
  try {
    return sqlify(engine, select);
  } catch {
    return undefined;
  }
}
