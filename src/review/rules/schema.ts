// Schema rules: databases and schemas as a whole.
import type { ReviewRule } from "../types.ts";
import { BOTH, NO_HITS, statementRule } from "./define.ts";

export const schemaRules: ReviewRule[] = [
  statementRule({
    id: "schema.drop",
    category: "schema",
    engines: BOTH,
    description: "DROP DATABASE/SCHEMA loses every object in it.",
    advice: "Back up, and drop databases outside the change workflow with an approver present.",
    defaults: { test: "warning", prod: "error" },
    on: ["drop"],
    check: ({ node }) =>
      node.type === "drop" && (node.keyword === "database" || node.keyword === "schema")
        ? [{ message: `DROP ${String(node.keyword).toUpperCase()}.` }]
        : NO_HITS,
  }),
  statementRule({
    id: "schema.create-database",
    category: "schema",
    engines: BOTH,
    description: "CREATE DATABASE inside a schema or data change.",
    advice: "Use a create-database change so the new database is registered in Sluice.",
    defaults: { test: "warning", prod: "warning" },
    on: ["create database"],
    check: ({ node }) =>
      node.type === "create" && node.keyword === "database"
        ? [{ message: "CREATE DATABASE in a change." }]
        : NO_HITS,
  }),
];
