// SQL review: the rule catalog and the entry point that reviews a change's statements.
import type { EngineName } from "../engines/engine.ts";
import { reviewRules } from "./rules/registry.ts";
import type { EnvironmentTier, RuleCategory, RuleLevel } from "./types.ts";

export { reviewStatements, ReviewRuleError, type ReviewRequest } from "./review.ts";
export { renderReviewText } from "./render.ts";
export { reviewConfigSchema, defaultReviewConfig, resolveRuleLevels, unknownRuleIds } from "./config.ts";
export type { ReviewConfig, ReviewConfigInput, ReviewEnvironment, ReviewOptions } from "./config.ts";
export type { ReviewCatalog, CatalogColumn, CatalogIndex } from "./catalog.ts";
export type { ReviewFinding, ReviewReport, RuleLevel, FindingLevel, EnvironmentTier, RuleCategory } from "./types.ts";
export { reviewRules };

export interface RuleDescription {
  id: string;
  category: RuleCategory;
  engines: readonly EngineName[];
  description: string;
  defaults: Record<EnvironmentTier, RuleLevel>;
  needsCatalog: boolean;
}

/** The rule catalog without behaviour, for the README and `/db review rules`. */
export const reviewRuleCatalog: readonly RuleDescription[] = reviewRules.map((rule) => ({
  id: rule.id,
  category: rule.category,
  engines: rule.engines,
  description: rule.description,
  defaults: rule.defaults,
  needsCatalog: rule.scope === "catalog",
}));
