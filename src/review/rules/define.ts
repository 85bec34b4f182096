// Typed constructors for rule objects, so each rule file reads as a plain list.
import type { EngineName } from "../../engines/engine.ts";
import { EMPTY } from "../ast.ts";
import type { CatalogRule, ChangeRule, SchemaRule, StatementRule } from "../types.ts";

export const BOTH: readonly EngineName[] = ["mysql", "postgres"];
export const MYSQL: readonly EngineName[] = ["mysql"];
export const POSTGRES: readonly EngineName[] = ["postgres"];

/**
 * A statement rule with every field in one order, whichever its definition states: the review reads `check`, `id` and
 * `advice` of ~100 rules on every statement, and spread definitions gave the rules as many shapes as they had sets of fields.
 */
export const statementRule = (rule: Omit<StatementRule, "scope">): StatementRule => ({
  scope: "statement" as const,
  id: rule.id,
  category: rule.category,
  engines: rule.engines,
  description: rule.description,
  advice: rule.advice,
  defaults: rule.defaults,
  escalatesOnLargeTable: rule.escalatesOnLargeTable,
  on: rule.on,
  check: rule.check,
}) satisfies Required<Record<keyof StatementRule, unknown>>;
export const changeRule = (rule: Omit<ChangeRule, "scope">): ChangeRule => ({ scope: "change", ...rule });
export const catalogRule = (rule: Omit<CatalogRule, "scope">): CatalogRule => ({ scope: "catalog", ...rule });
export const schemaRule = (rule: Omit<SchemaRule, "scope">): SchemaRule => ({ scope: "schema", ...rule });

/**
 * What a rule returns when it finds nothing: the review's shared empty list (EMPTY), so the common case allocates
 * nothing (a review runs each rule on thousands of statements, and most find nothing).
 */
export const NO_HITS: readonly never[] = EMPTY;
