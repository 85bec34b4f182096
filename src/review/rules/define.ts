// Typed constructors for rule objects, so each rule file reads as a plain list.
import type { EngineName } from "../../engines/engine.ts";
import { EMPTY } from "../ast.ts";
import type { CatalogRule, ChangeRule, SchemaRule, StatementRule } from "../types.ts";

export const BOTH: readonly EngineName[] = ["mysql", "postgres"];
export const MYSQL: readonly EngineName[] = ["mysql"];
export const POSTGRES: readonly EngineName[] = ["postgres"];

export const statementRule = (rule: Omit<StatementRule, "scope">): StatementRule => ({ scope: "statement", ...rule });
export const changeRule = (rule: Omit<ChangeRule, "scope">): ChangeRule => ({ scope: "change", ...rule });
export const catalogRule = (rule: Omit<CatalogRule, "scope">): CatalogRule => ({ scope: "catalog", ...rule });
export const schemaRule = (rule: Omit<SchemaRule, "scope">): SchemaRule => ({ scope: "schema", ...rule });

/**
 * What a rule returns when it finds nothing: the review's shared empty list (EMPTY), so the common case allocates
 * nothing (a review runs each rule on thousands of statements, and most find nothing).
 */
export const NO_HITS: readonly never[] = EMPTY;
