// The `review:` section of sluice.yml, and how it turns into effective rule levels for an environment.
import { z } from "zod";
import type { EnvironmentTier, ReviewRule, RuleLevel } from "./types.ts";

const ruleLevel = z.enum(["error", "warning", "off"]);
const ruleLevels = z.record(z.string(), ruleLevel);

const pattern = z.string().refine((value) => {
  try {
    new RegExp(value);
    return true;
  } catch {
    return false;
  }
}, "must be a valid regular expression");

export const reviewOptionsSchema = z.object({
  namingTable: pattern.default("^[a-z][a-z0-9_]*$"),
  namingColumn: pattern.default("^[a-z][a-z0-9_]*$"),
  namingIndex: pattern.default("^(idx|ix)_[a-z0-9_]+$"),
  namingUnique: pattern.default("^(uk|uniq|ux)_[a-z0-9_]+$"),
  namingForeignKey: pattern.default("^fk_[a-z0-9_]+$"),
  /** Columns every new table must have; empty means no requirement. */
  requiredColumns: z.array(z.string()).default([]),
  maxInListSize: z.number().int().positive().default(1000),
  maxInsertRows: z.number().int().positive().default(1000),
  maxStatements: z.number().int().positive().default(100),
  maxAffectedRows: z.number().int().positive().default(1000),
  maxIndexColumns: z.number().int().positive().default(5),
  /** Above this row estimate a table rewrite is escalated from warning to error. */
  largeTableRows: z.number().int().positive().default(1_000_000),
  charsets: z.array(z.string()).default(["utf8mb4"]),
  /** PostgreSQL database encodings CREATE DATABASE may use. */
  encodings: z.array(z.string()).default(["UTF8"]),
  /** Allowed collations; empty means any collation of an allowed charset. */
  collations: z.array(z.string()).default([]),
  namingPrimaryKey: pattern.default("^pk_[a-z0-9_]+$"),
  namingAutoIncrement: pattern.default("^id$"),
  /** Tables may only be dropped once renamed to match this (e.g. `orders_del`), when the rule is on. */
  namingDroppedTable: pattern.default("_(del|deleted|deprecated)$"),
  /** Column types no new column may use, e.g. `["BLOB", "LONGTEXT"]`; matched case-insensitively. */
  disallowedColumnTypes: z.array(z.string()).default([]),
  primaryKeyTypes: z.array(z.string()).default(["INT", "INTEGER", "BIGINT", "SERIAL", "BIGSERIAL", "UUID"]),
  maxVarcharLength: z.number().int().positive().default(2560),
  maxCharLength: z.number().int().positive().default(20),
  maxEnumValues: z.number().int().positive().default(20),
  maxCommentLength: z.number().int().positive().default(256),
  autoIncrementInitialValue: z.number().int().positive().default(1),
  maxIndexesPerTable: z.number().int().positive().default(10),
  maxLimitValue: z.number().int().positive().default(1000),
  maxJoinTables: z.number().int().positive().default(5),
  /** Index methods allowed by `index.type-allow-list` (BTREE, HASH, FULLTEXT, SPATIAL); empty means any. */
  indexTypes: z.array(z.string()).default(["BTREE", "HASH"]),
  /** Functions no statement may call (`system.function.disallowed-list`), matched case-insensitively. */
  disallowedFunctions: z.array(z.string()).default(["SLEEP", "BENCHMARK", "GET_LOCK", "RELEASE_LOCK", "LOAD_FILE", "PG_SLEEP"]),
  /** Tables no schema change may touch (`table.disallow-ddl`), matched case-insensitively without schema. */
  ddlDisallowedTables: z.array(z.string()).default([]),
  /** Tables no data change may write (`table.disallow-dml`), matched case-insensitively without schema. */
  dmlDisallowedTables: z.array(z.string()).default([]),
  /** Most characters a table's CHAR/VARCHAR/BINARY/TEXT/BLOB columns may hold together (`table.mysql.text-fields-total-length`). */
  maxTextFieldsTotalLength: z.number().int().positive().default(1000),
});

export const reviewConfigSchema = z.object({
  /** Overrides for every environment. */
  rules: ruleLevels.default({}),
  /** Overrides per environment name (e.g. `Prod`), applied after `rules`. */
  environments: z.record(z.string(), ruleLevels).default({}),
  options: reviewOptionsSchema.default(reviewOptionsSchema.parse({})),
});

export type ReviewConfig = z.infer<typeof reviewConfigSchema>;
export type ReviewConfigInput = z.input<typeof reviewConfigSchema>;
export type ReviewOptions = z.infer<typeof reviewOptionsSchema>;

export const defaultReviewConfig: ReviewConfig = reviewConfigSchema.parse({});

export interface ReviewEnvironment {
  name: string;
  tier: EnvironmentTier;
}

/** Effective level of every rule: the tier's default, then `rules`, then `environments[name]`. */
export function resolveRuleLevels(
  rules: readonly ReviewRule[],
  environment: ReviewEnvironment,
  config: ReviewConfig,
): Map<string, RuleLevel> {
  const environmentOverrides = config.environments[environment.name] ?? {};
  const levels = new Map<string, RuleLevel>();
  for (const rule of rules) {
    levels.set(rule.id, environmentOverrides[rule.id] ?? config.rules[rule.id] ?? rule.defaults[environment.tier]);
  }
  return levels;
}

/** Rule ids in the config that no rule has: a typo in sluice.yml should be caught at start-up. */
export function unknownRuleIds(rules: readonly ReviewRule[], config: ReviewConfig): string[] {
  const known = new Set(rules.map((rule) => rule.id));
  const mentioned = [config.rules, ...Object.values(config.environments)].flatMap((levels) => Object.keys(levels));
  return [...new Set(mentioned.filter((id) => !known.has(id)))];
}
