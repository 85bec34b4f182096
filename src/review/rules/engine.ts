// Engine rules: storage engine choices (MySQL).
import { alterActions, asArray, isCreateTable, settingName, targetTable } from "../ast.ts";
import type { AstNode } from "../parse.ts";
import type { ReviewRule } from "../types.ts";
import { MYSQL, statementRule } from "./define.ts";

function storageEngine(node: AstNode): string | undefined {
  const fromCreate = isCreateTable(node)
    ? asArray(node.table_options as AstNode[]).find((option) => String(option.keyword).toLowerCase() === "engine")?.value
    : undefined;
  const fromAlter = alterActions(node).find((action) => action.resource === "engine")?.engine;
  const fromSetting = node.type === "set" ? asArray(node.expr as AstNode[]).find((assignment) => settingName(assignment) === "default_storage_engine")?.right : undefined;
  const engine = fromCreate ?? fromAlter ?? (fromSetting ? (fromSetting.value ?? fromSetting.column) : undefined);
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
    on: ["create", "alter", "set"],
    check: ({ node }) => {
      const engine = storageEngine(node);
      if (!engine || engine === "INNODB") return [];
      return [{ message: node.type === "set" ? `default_storage_engine is set to ${engine}.` : `Table ${targetTable(node)} uses ENGINE=${engine}.` }];
    },
  }),
];
