// Statement rules: what a DML or utility statement does, independent of the schema.
import { asArray, DDL_TYPES, DML_TYPES, dmlTargets, isConstantTrue, targetTable } from "../ast.ts";
import type { AstNode } from "../parse.ts";
import type { ReviewRule, RuleHit } from "../types.ts";
import { BOTH, changeRule, MYSQL, statementRule } from "./define.ts";

const isUpdateOrDelete = (node: AstNode): boolean => node.type === "update" || node.type === "delete";
const isInsert = (node: AstNode): boolean => node.type === "insert" || node.type === "replace";
const transactionAction = (node: AstNode): string =>
  node.type === "transaction" ? String(node.expr?.action?.value ?? "").toLowerCase() : "";

export const statementRules: ReviewRule[] = [
  {
    scope: "parse",
    id: "statement.parse",
    category: "statement",
    engines: BOTH,
    description: "The statement cannot be parsed, so no rule could check it: manual review required.",
    advice: "Have a reviewer read this statement; rewrite it in a form the reviewer understands if you can.",
    defaults: { test: "warning", prod: "error" },
  },
  statementRule({
    id: "statement.where.require",
    category: "statement",
    engines: BOTH,
    description: "UPDATE or DELETE without a WHERE clause touches every row.",
    advice: "Add a WHERE clause; to really empty a table, say so with TRUNCATE in a reviewed change.",
    defaults: { test: "warning", prod: "error" },
    check: ({ node }) =>
      isUpdateOrDelete(node) && !node.where ? [{ message: `${node.type.toUpperCase()} on ${dmlTargets(node).join(", ")} has no WHERE clause.` }] : [],
  }),
  statementRule({
    id: "statement.where.no-tautology",
    category: "statement",
    engines: BOTH,
    description: "UPDATE or DELETE whose WHERE is always true (e.g. WHERE 1=1) touches every row.",
    advice: "Filter on the rows you mean to change.",
    defaults: { test: "warning", prod: "error" },
    check: ({ node }) =>
      isUpdateOrDelete(node) && isConstantTrue(node.where)
        ? [{ message: `${node.type.toUpperCase()} has a WHERE clause that is always true.` }]
        : [],
  }),
  statementRule({
    id: "statement.select.no-star",
    category: "statement",
    engines: BOTH,
    description: "SELECT * inside a change (INSERT ... SELECT *, CREATE TABLE ... AS SELECT *) depends on column order.",
    advice: "List the columns explicitly.",
    defaults: { test: "warning", prod: "warning" },
    check: ({ node, facts }) =>
      (isInsert(node) || node.type === "create" || isUpdateOrDelete(node)) && facts().selectsStar
        ? [{ message: "SELECT * used inside a data change." }]
        : [],
  }),
  statementRule({
    id: "statement.insert.column-list",
    category: "statement",
    engines: BOTH,
    description: "INSERT without a column list breaks when columns are added or reordered.",
    advice: "Name the target columns: INSERT INTO t (a, b) VALUES ...",
    defaults: { test: "warning", prod: "error" },
    check: ({ node }) =>
      isInsert(node) && asArray(node.columns).length === 0 && node.set === undefined
        ? [{ message: `INSERT into ${targetTable(node)} has no column list.` }]
        : [],
  }),
  statementRule({
    id: "statement.insert.max-rows",
    category: "statement",
    engines: BOTH,
    description: "INSERT ... VALUES with more rows than `maxInsertRows` in one statement.",
    advice: "Split the insert into batches, or load the data with a bulk-import tool.",
    defaults: { test: "warning", prod: "warning" },
    check: ({ node, options }) => {
      if (!isInsert(node) || node.values?.type !== "values") return [];
      const rows = asArray(node.values.values).length;
      return rows > options.maxInsertRows
        ? [{ message: `INSERT has ${rows} rows in one VALUES list (max ${options.maxInsertRows}).` }]
        : [];
    },
  }),
  statementRule({
    id: "statement.where.max-in-list",
    category: "statement",
    engines: BOTH,
    description: "IN (...) list longer than `maxInListSize`.",
    advice: "Use a temporary table and a join, or split the change into batches.",
    defaults: { test: "warning", prod: "warning" },
    check: ({ node, options, facts }) => {
      if (!DML_TYPES.has(node.type)) return [];
      const largest = Math.max(0, ...facts().inListSizes);
      return largest > options.maxInListSize
        ? [{ message: `IN list has ${largest} values (max ${options.maxInListSize}).` }]
        : [];
    },
  }),
  statementRule({
    id: "statement.where.no-leading-wildcard",
    category: "statement",
    engines: BOTH,
    description: "LIKE '%...' cannot use an index and scans the whole table.",
    advice: "Anchor the pattern at the start, or use a full-text index.",
    defaults: { test: "warning", prod: "warning" },
    check: ({ node, facts }) =>
      DML_TYPES.has(node.type) && facts().likePatterns.some((pattern) => pattern.startsWith("%"))
        ? [{ message: "LIKE pattern starts with a wildcard." }]
        : [],
  }),
  statementRule({
    id: "statement.order-by-random",
    category: "statement",
    engines: BOTH,
    description: "ORDER BY RAND()/random() sorts the whole result.",
    advice: "Pick rows by key ranges or a sampled id instead.",
    defaults: { test: "warning", prod: "warning" },
    check: ({ node, facts }) =>
      DML_TYPES.has(node.type) && facts().orderByRandom ? [{ message: "ORDER BY a random function." }] : [],
  }),
  statementRule({
    id: "statement.dml.no-limit",
    category: "statement",
    engines: MYSQL,
    description: "UPDATE/DELETE with LIMIT changes an unpredictable set of rows and is unsafe for replication.",
    advice: "Select the rows by key in the WHERE clause.",
    defaults: { test: "warning", prod: "error" },
    check: ({ node }) =>
      isUpdateOrDelete(node) && asArray(node.limit?.value).length > 0
        ? [{ message: `${node.type.toUpperCase()} uses LIMIT.` }]
        : [],
  }),
  statementRule({
    id: "statement.dml.no-order-by",
    category: "statement",
    engines: MYSQL,
    description: "UPDATE/DELETE with ORDER BY sorts rows for nothing, or hides a LIMIT-based batch.",
    advice: "Remove ORDER BY; select rows by key in the WHERE clause.",
    defaults: { test: "warning", prod: "warning" },
    check: ({ node }) =>
      isUpdateOrDelete(node) && asArray(node.orderby).length > 0
        ? [{ message: `${node.type.toUpperCase()} uses ORDER BY.` }]
        : [],
  }),
  statementRule({
    id: "statement.transaction.no-control",
    category: "statement",
    engines: BOTH,
    description: "BEGIN/COMMIT/ROLLBACK inside a change fights the transaction Sluice runs it in.",
    advice: "Remove transaction control; Sluice decides how the change is committed.",
    defaults: { test: "warning", prod: "error" },
    check: ({ node }) => {
      const action = transactionAction(node);
      return action ? [{ message: `${action.toUpperCase()} inside a change.` }] : [];
    },
  }),
  statementRule({
    id: "statement.lock-tables",
    category: "statement",
    engines: BOTH,
    description: "LOCK TABLE(S) blocks other sessions for the rest of the change.",
    advice: "Rely on row locks taken by the statements themselves.",
    defaults: { test: "warning", prod: "error" },
    check: ({ node }) => (node.type === "lock" ? [{ message: "Explicit table lock." }] : []),
  }),
  statementRule({
    id: "statement.grant",
    category: "statement",
    engines: BOTH,
    description: "GRANT/REVOKE changes privileges: an access change, not a schema change.",
    advice: "Request privilege changes through your access process.",
    defaults: { test: "warning", prod: "error" },
    check: ({ node }) => (node.type === "grant" || node.type === "revoke" ? [{ message: "Privilege change in a change." }] : []),
  }),
  statementRule({
    id: "statement.account",
    category: "statement",
    engines: BOTH,
    description: "CREATE/ALTER/DROP USER or ROLE inside a change.",
    advice: "Manage accounts through your access process.",
    defaults: { test: "warning", prod: "error" },
    check: ({ node }) =>
      node.type === "account" || (node.type === "create" && (node.keyword === "user" || node.keyword === "role"))
        ? [{ message: "Account management in a change." }]
        : [],
  }),
  changeRule({
    id: "statement.ddl-dml.mixed",
    category: "statement",
    engines: BOTH,
    description: "A change that mixes schema changes (DDL) and data changes (DML).",
    advice: "Split it into a schema change and a data change; they roll back differently.",
    defaults: { test: "warning", prod: "error" },
    check: ({ parsed }) => {
      let firstDdl = -1;
      let firstDml = -1;
      parsed.forEach((statement, ordinal) => {
        for (const node of statement.nodes) {
          if (firstDdl < 0 && DDL_TYPES.has(node.type)) firstDdl = ordinal;
          if (firstDml < 0 && DML_TYPES.has(node.type) && node.type !== "select") firstDml = ordinal;
        }
      });
      if (firstDdl < 0 || firstDml < 0) return [];
      return [{ ordinal: Math.max(firstDdl, firstDml), message: "The change mixes DDL and DML statements." }];
    },
  }),
  changeRule({
    id: "statement.max-count",
    category: "statement",
    engines: BOTH,
    description: "A change with more statements than `maxStatements`.",
    advice: "Split the change; a reviewer cannot really read that many statements.",
    defaults: { test: "warning", prod: "error" },
    check: ({ statements, options }) =>
      statements.length > options.maxStatements
        ? [{ ordinal: options.maxStatements, message: `The change has ${statements.length} statements (max ${options.maxStatements}).` }]
        : [],
  }),
  changeRule({
    id: "statement.alter.merge",
    category: "statement",
    engines: BOTH,
    description: "Several ALTER TABLE statements on the same table: each one may rebuild or lock it.",
    advice: "Merge them into one ALTER TABLE with several clauses.",
    defaults: { test: "warning", prod: "warning" },
    check: ({ parsed }) => {
      const seen = new Map<string, number>();
      const hits: Array<RuleHit & { ordinal: number }> = [];
      parsed.forEach((statement, ordinal) => {
        for (const node of statement.nodes) {
          if (node.type !== "alter" || node.keyword === "view") continue;
          const table = targetTable(node).toLowerCase();
          if (!table) continue;
          const count = (seen.get(table) ?? 0) + 1;
          seen.set(table, count);
          if (count === 2) hits.push({ ordinal, message: `Table ${table} is altered by more than one statement.` });
        }
      });
      return hits;
    },
  }),
];
