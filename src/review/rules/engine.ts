// Engine rules: storage engine choices (MySQL).
import { alterActions, asArray, isCreateTable, targetTable } from "../ast.ts";
import type { AstNode } from "../parse.ts";
import type { ReviewRule } from "../types.ts";
import { MYSQL, statementRule } from "./define.ts";

function storageEngine(node: AstNode): string | undefined {
  const fromCreate = isCreateTable(node)
    ? asArray(node.table_options as AstNode[]).find((option) => String(option.keyword).toLowerCase() === "engine")?.value
    : undefined;
  const fromAlter = alterActions(node).find((action) => action.resource === "engine")?.engine;
  const engine = fromCreate ?? fromAlter;
  return engine === undefined ? undefined : String(engine).toUpperCase();
}

export const engineRules: ReviewRule[] = [
  statementRule({
    id: "engine.mysql.innodb",
    category: "engine",
    engines: MYSQL,
    description: "Tables must use InnoDB (transactions, crash safety, row locks).",
    advice: "Use ENGINE=InnoDB or leave the engine out.",
    defaults: { test: "warning", prod: "error" },
    check: ({ node }) => {
      const engine = storageEngine(node);
      return engine && engine !== "INNODB" ? [{ message: `Table ${targetTable(node)} uses ENGINE=${engine}.` }] : [];
    },
  }),
];
