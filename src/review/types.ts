// The vocabulary of SQL review: rules, their levels, and the findings they report.
import type { EngineName, SqlStatement } from "../engines/engine.ts";
import type { ReviewCatalog } from "./catalog.ts";
import type { ReviewOptions } from "./config.ts";
import type { ExpressionFacts } from "./ast.ts";
import type { AstNode, ParsedStatement } from "./parse.ts";
import type { SchemaView, TableStep } from "./walk-through.ts";

export type RuleLevel = "error" | "warning" | "off";
export type FindingLevel = Exclude<RuleLevel, "off">;
export type EnvironmentTier = "test" | "prod";
export type RuleCategory = "engine" | "naming" | "statement" | "table" | "column" | "index" | "schema" | "system";

export interface ReviewFinding {
  ruleId: string;
  level: FindingLevel;
  /** 0-based index of the statement in the change. */
  statementOrdinal: number;
  line: number;
  column: number;
  message: string;
  advice: string;
}

export interface ReviewReport {
  statementCount: number;
  errorCount: number;
  warningCount: number;
  findings: ReviewFinding[];
}

/** What a rule reports; the engine adds level, ordinal and position. */
export interface RuleHit {
  message: string;
  /** Overrides the rule's advice for this hit. */
  advice?: string;
  /** Table the hit is about, for rules whose finding escalates on large tables. */
  table?: string;
  /** Position inside the whole script, when more precise than the statement's start. */
  line?: number;
  column?: number;
}

/** What a change or schema reader reports at the end of the review: a hit at the statement it is about. */
export type ReaderHit = RuleHit & { ordinal: number };

/** Facts about the change as a whole that statement rules need (e.g. tables created earlier in it). */
export interface ChangeState {
  /** Lower-cased names of tables created by earlier statements of the change. */
  createdTables: Set<string>;
  /** Lower-cased names of tables altered by earlier statements (their columns may differ from the catalog's). */
  alteredTables: Set<string>;
}

export interface StatementContext {
  engine: EngineName;
  statement: SqlStatement;
  ordinal: number;
  /** The parsed statement; rules run only on statements that parsed (or were recognized). */
  parsed: ParsedStatement;
  node: AstNode;
  options: ReviewOptions;
  change: ChangeState;
  /** True when the table existed before this change (not created earlier in it). */
  isExistingTable(table: string): boolean;
  /** Expression facts of a DML statement, computed once on first use. A method: call it as `ctx.facts()`, not destructured. */
  facts(): ExpressionFacts;
  /** The walk-through catalog around this statement: a table as it was before it and as it is after it. */
  schema: SchemaView;
}

/** What a change rule knows before it reads the first statement. */
export interface ChangeContext {
  engine: EngineName;
  /** How many statements the change has. */
  statementCount: number;
  options: ReviewOptions;
}

/** One statement of the change, as a change rule reads it. */
export interface ChangeStatement {
  ordinal: number;
  statement: SqlStatement;
  parsed: ParsedStatement;
}

/**
 * Reads a change statement by statement, in order, and reports once after the last. The review keeps no statement's
 * AST past its turn (keeping thousands alive to the end cost it a fifth of its time in garbage collection), so a change
 * rule keeps only what it needs of each.
 */
export interface ChangeReader {
  read(statement: ChangeStatement): void;
  finish(): readonly ReaderHit[];
}

/** What a schema rule knows before the walk-through starts. */
export interface SchemaContext {
  engine: EngineName;
  options: ReviewOptions;
}

/**
 * Follows every table the change creates or changes through the walk-through catalog, one state at a time (its live
 * state first, at ordinal -1, when the catalog knew it), and reports once at the end. The walk keeps no table's history:
 * a schema rule keeps what it needs of each state.
 */
export interface SchemaReader {
  /** The table under `key` after the statement at `step.ordinal` (its state undefined once dropped or renamed away). */
  step(key: string, step: TableStep): void;
  finish(): readonly ReaderHit[];
}

export interface CatalogContext extends StatementContext {
  catalog: ReviewCatalog;
}

interface RuleBase {
  id: string;
  category: RuleCategory;
  engines: readonly EngineName[];
  /** One line: what the rule catches. */
  description: string;
  /** What to do instead. */
  advice: string;
  defaults: Record<EnvironmentTier, RuleLevel>;
  /** A warning from this rule becomes an error when the table is larger than `largeTableRows` (needs a catalog). */
  escalatesOnLargeTable?: boolean;
}

export interface StatementRule extends RuleBase {
  scope: "statement";
  /**
   * The statement kinds (AST node types: `create`, `alter`, `insert`...) the rule can report on; the review runs it on
   * those only. A CREATE is narrowed by what it creates: `create table`, `create index`, `create database`... (`create`
   * alone is every CREATE); an ALTER by what one of its clauses changes (the clause's `resource`): `alter column`,
   * `alter constraint`... (`alter` alone is every ALTER). Without it the rule runs on every statement.
   */
  on?: readonly string[];
  check(ctx: StatementContext): readonly RuleHit[];
}

export interface ChangeRule extends RuleBase {
  scope: "change";
  /** A reader for one review of one change. */
  reader(ctx: ChangeContext): ChangeReader;
}

export interface CatalogRule extends RuleBase {
  scope: "catalog";
  check(ctx: CatalogContext): Promise<readonly RuleHit[]>;
}

/** Checks the schema the whole change leads to (e.g. every new table has a primary key by the end of the change). */
export interface SchemaRule extends RuleBase {
  scope: "schema";
  /** A reader for one review of one change. */
  reader(ctx: SchemaContext): SchemaReader;
}

/** The parse rule is reported by the review itself; it has no check. */
export interface ParseRule extends RuleBase {
  scope: "parse";
}

export type ReviewRule = StatementRule | ChangeRule | SchemaRule | CatalogRule | ParseRule;

export type { SqlStatement };
