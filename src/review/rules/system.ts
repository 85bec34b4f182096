// System rules: session settings, server-side code and maintenance statements.
import { asArray, commentOn, settingName } from "../ast.ts";
import type { AstNode } from "../parse.ts";
import { createsView, routineKind } from "../parse.ts";
import type { ChangeReader, ChangeStatement, ReaderHit, ReviewRule, RuleHit } from "../types.ts";
import type { EngineName } from "../../engines/engine.ts";
import { BOTH, changeRule, MYSQL, NO_HITS, POSTGRES, statementRule } from "./define.ts";
import { configuredSet } from "./configured.ts";

/** Off by default; read from the text, so bodies the grammar cannot parse are caught too. */
function objectRule(id: string, kind: string, engines: readonly EngineName[], description: string) {
  const creates = (text: string): boolean => (kind === "view" ? createsView(text) : routineKind(text) === kind);
  return changeRule({
    id,
    category: "system",
    engines,
    description,
    advice: `Leave the ${kind} out of the change, or have this rule switched off for the environment.`,
    defaults: { test: "off", prod: "off" },
    reader: () => new ObjectCreations(kind, creates),
  });
}

/** Each statement that creates a view or routine of one kind. A class, as the other change readers (statement.ts). */
class ObjectCreations implements ChangeReader {
  private readonly hits: ReaderHit[] = [];

  constructor(
    private readonly kind: string,
    private readonly creates: (text: string) => boolean,
  ) {}

  read({ ordinal, statement, parsed }: ChangeStatement): void {
    if (this.creates(statement.text) || parsed.nodes.some((node) => node.type === "routine" && node.kind === this.kind)) {
      this.hits.push({ ordinal, message: `CREATE ${this.kind.toUpperCase()} is not allowed.` });
    }
  }

  finish(): readonly ReaderHit[] {
    return this.hits;
  }
}

/** Session settings that switch off a safety net or hide the change from replication and rollback. */
const DANGEROUS_SETTINGS = new Set(["foreign_key_checks", "unique_checks", "sql_log_bin", "sql_safe_updates", "session_replication_role", "check_function_bodies"]);

/** `disallowedFunctions`, lower-cased as function names are read. */
const disallowedFunctions = configuredSet((name) => name.toLowerCase());

export const systemRules: ReviewRule[] = [
  statementRule({
    id: "system.dangerous-setting",
    category: "system",
    engines: BOTH,
    description: "SET of a session variable that disables checks or logging (foreign_key_checks, sql_log_bin, session_replication_role...).",
    advice: "Leave the safety settings on; if the change needs them off, say why to the approver.",
    defaults: { test: "warning", prod: "error" },
    on: ["set"],
    check: ({ node }) => {
      if (node.type !== "set") return NO_HITS;
      let hits: RuleHit[] | undefined;
      for (const assignment of asArray(node.expr as AstNode[])) {
        const setting = settingName(assignment);
        if (DANGEROUS_SETTINGS.has(setting)) (hits ??= []).push({ message: `SET ${setting}.` });
      }
      return hits ?? NO_HITS;
    },
  }),
  statementRule({
    id: "system.routine",
    category: "system",
    engines: BOTH,
    description: "CREATE PROCEDURE/FUNCTION/TRIGGER/EVENT and DO blocks: server-side code the rules cannot review.",
    advice: "Have a reviewer read the body.",
    // As strict as an unparsed statement in Prod: the body is code no rule read.
    defaults: { test: "warning", prod: "error" },
    on: ["create", "routine", "do"],
    check: ({ statement, node }) => {
      if (node.type === "do") return [{ message: "DO block: procedural code run once." }];
      const kind = node.type === "routine" ? String(node.kind) : routineKind(statement.text);
      return kind ? [{ message: `CREATE ${kind.toUpperCase()}.` }] : NO_HITS;
    },
  }),
  statementRule({
    id: "system.pg.vacuum-full",
    category: "system",
    engines: POSTGRES,
    description: "VACUUM FULL rewrites the table under an ACCESS EXCLUSIVE lock.",
    advice: "Use plain VACUUM, or pg_repack for an online rebuild.",
    defaults: { test: "warning", prod: "error" },
    on: ["vacuum"],
    check: ({ node }) => (node.type === "vacuum" && node.full ? [{ message: "VACUUM FULL." }] : NO_HITS),
  }),
  statementRule({
    id: "system.mysql.optimize-table",
    category: "system",
    engines: MYSQL,
    description: "OPTIMIZE TABLE rebuilds the table (InnoDB: ALTER TABLE ... FORCE).",
    advice: "Rebuild large tables with an online schema change tool, or in a maintenance window.",
    defaults: { test: "warning", prod: "error" },
    on: ["optimize"],
    check: ({ node }) => (node.type === "optimize" ? [{ message: `OPTIMIZE TABLE ${asArray(node.tables as string[]).join(", ")}.` }] : NO_HITS),
  }),
  statementRule({
    id: "system.pg.extension",
    category: "system",
    engines: POSTGRES,
    description: "CREATE/DROP EXTENSION needs elevated privileges and affects the whole database.",
    advice: "Have a DBA install extensions.",
    defaults: { test: "warning", prod: "warning" },
    on: ["create extension", "drop"],
    check: ({ node }) => (node.keyword === "extension" && (node.type === "create" || node.type === "drop") ? [{ message: `${String(node.type).toUpperCase()} EXTENSION.` }] : NO_HITS),
  }),
  objectRule("system.trigger.disallow", "trigger", BOTH, "CREATE TRIGGER, for teams that keep logic out of the database."),
  objectRule("system.procedure.disallow", "procedure", BOTH, "CREATE PROCEDURE, for teams that keep logic out of the database."),
  objectRule("system.function.disallow", "function", BOTH, "CREATE FUNCTION, for teams that keep logic out of the database."),
  objectRule("system.event.disallow", "event", MYSQL, "CREATE EVENT: scheduled jobs inside the server, outside any deployment."),
  objectRule("system.view.disallow", "view", BOTH, "CREATE VIEW, for teams that keep queries in the application."),
  statementRule({
    id: "system.pg.cluster",
    category: "system",
    engines: POSTGRES,
    description: "CLUSTER rewrites the table under an ACCESS EXCLUSIVE lock.",
    advice: "Use pg_repack for an online reorder, or run it in a maintenance window.",
    defaults: { test: "warning", prod: "error" },
    on: ["cluster"],
    check: ({ node }) => (node.type === "cluster" ? [{ message: "CLUSTER rewrites the table." }] : NO_HITS),
  }),
  statementRule({
    id: "system.pg.reindex",
    category: "system",
    engines: POSTGRES,
    description: "REINDEX without CONCURRENTLY blocks writes to the table while it rebuilds.",
    advice: "REINDEX ... CONCURRENTLY (PostgreSQL 12+), in a change of its own.",
    defaults: { test: "warning", prod: "error" },
    on: ["reindex"],
    check: ({ node }) => (node.type === "reindex" && !node.concurrently ? [{ message: `REINDEX ${String(node.keyword).toUpperCase()} without CONCURRENTLY.` }] : NO_HITS),
  }),
  statementRule({
    id: "system.function.disallowed-list",
    category: "system",
    engines: BOTH,
    description: "A call to a function listed in `disallowedFunctions` (SLEEP, BENCHMARK, GET_LOCK, LOAD_FILE... by default).",
    advice: "Leave the function out of the change, or remove it from `disallowedFunctions`.",
    defaults: { test: "off", prod: "warning" },
    check: (ctx) => {
      const { options } = ctx;
      if (options.disallowedFunctions.length === 0) return NO_HITS;
      const called = ctx.facts().functionNames;
      if (called.length === 0) return NO_HITS;
      const disallowed = disallowedFunctions(options.disallowedFunctions);
      let hits: RuleHit[] | undefined;
      for (let i = 0; i < called.length; i++) {
        const name = called[i]!;
        // One hit per function, at its first call.
        if (disallowed.has(name) && called.indexOf(name) === i) (hits ??= []).push({ message: `${name.toUpperCase()}() is not allowed.` });
      }
      return hits ?? NO_HITS;
    },
  }),
  statementRule({
    id: "system.comment.max-length",
    category: "system",
    engines: POSTGRES,
    description: "COMMENT ON (a table, column, index or any object) longer than `maxCommentLength`.",
    advice: "Shorten the comment; keep documentation elsewhere.",
    defaults: { test: "off", prod: "off" },
    on: ["comment"],
    check: ({ node, options }) => {
      let hits: RuleHit[] | undefined;
      for (const comment of commentOn(node)) {
        if (comment.length > options.maxCommentLength) (hits ??= []).push({ message: `Comment is ${comment.length} characters (max ${options.maxCommentLength}).` });
      }
      return hits ?? NO_HITS;
    },
  }),
  statementRule({
    id: "system.pg.encoding",
    category: "system",
    engines: POSTGRES,
    description: "CREATE DATABASE with an ENCODING outside `encodings` (UTF8 by default).",
    advice: "Create the database with ENCODING 'UTF8'.",
    defaults: { test: "warning", prod: "error" },
    on: ["create database"],
    check: ({ node, options }) => {
      if (node.type !== "create" || node.keyword !== "database" || !node.encoding) return NO_HITS;
      const allowed = new Set(options.encodings.map((encoding) => encoding.toLowerCase().replace(/[-_]/g, "")));
      const encoding = String(node.encoding);
      return allowed.has(encoding.toLowerCase().replace(/[-_]/g, "")) ? NO_HITS : [{ message: `Encoding ${encoding} is not allowed (allowed: ${options.encodings.join(", ")}).` }];
    },
  }),
];
