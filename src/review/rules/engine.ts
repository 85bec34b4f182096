// Engine rules: storage engine choices (MySQL).
import { alterActions, asArray, isCreateTable, settingName, targetTable } from "../ast.ts";
import type { AstNode } from "../parse.ts";
import type { ReviewRule } from "../types.ts";
import { MYSQL, NO_HITS, statementRule } from "./define.ts";

/**
 * The storage engine a CREATE TABLE, ALTER TABLE or `SET default_storage_engine` names, upper-cased (a null ENGINE
 * option names none; a SET to null reads as NULL).
 */
function storageEngine(node: AstNode): string | undefined {
  let engine: unknown;
  if (isCreateTable(node)) {
    const tableOptionNodes = asArray(node.table_options as AstNode[]);
    for (let i = 0; i < tableOptionNodes.length; i++) {
      const option = tableOptionNodes[i]!;
      if (String(option.keyword).toLowerCase() === "engine") {
        engine = option.value ?? undefined;
        break;
      }
    }
  } else if (node.type === "alter") {
    const actions = alterActions(node);
    for (let i = 0; i < actions.length; i++) {
      const action = actions[i]!;
      if (action.resource === "engine") {
        engine = action.engine ?? undefined;
        break;
      }
    }
  } else if (node.type === "set") {
    const assignments = asArray(node.expr as AstNode[]);
    for (let i = 0; i < assignments.length; i++) {
      const assignment = assignments[i]!;
      if (settingName(assignment) === "default_storage_engine") {
        const value = assignment.right;
        engine = value ? (value.value ?? value.column) : undefined;
        break;
      }
    }
  }
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
    // An ALTER names an engine in its ENGINE= clause (resource "engine").
    on: ["create table", "alter engine", "set"],
    check: ({ node }) => {
      const engine = storageEngine(node);
      if (!engine || engine === "INNODB") return NO_HITS;
      return [{ message: node.type === "set" ? `default_storage_engine is set to ${engine}.` : `Table ${targetTable(node)} uses ENGINE=${engine}.` }];
    },
  }),
];
