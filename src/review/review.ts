// Runs the rules over a change: parse each statement once, share the AST, collect findings.
import type { EngineName, SqlStatement } from "../engines/engine.ts";
import { asArray, EMPTY, expressionFacts, isCreateTable, tableKey, targetTable, type ExpressionFacts } from "./ast.ts";
import type { ReviewCatalog } from "./catalog.ts";
import { resolveRuleLevels, type ReviewConfig, type ReviewEnvironment, type ReviewOptions } from "./config.ts";
import { parseStatement, type AstNode, type ParsedStatement } from "./parse.ts";
import { loadPostgresParser } from "./postgres-ast.ts";
import { reviewRules } from "./rules/registry.ts";
import { WalkThrough, type SchemaView, type TableStep } from "./walk-through.ts";
import type {
  CatalogRule,
  ChangeReader,
  ChangeRule,
  ChangeState,
  ChangeStatement,
  FindingLevel,
  ReaderHit,
  ReviewFinding,
  ReviewReport,
  ReviewRule,
  RuleHit,
  SchemaReader,
  SchemaRule,
  StatementContext,
  StatementRule,
} from "./types.ts";

export interface ReviewRequest {
  engine: EngineName;
  statements: SqlStatement[];
  environment: ReviewEnvironment;
  config: ReviewConfig;
  /** Read-only access to the target database; rules that need it are skipped without it. */
  catalog?: ReviewCatalog;
}

/** A rule threw: a bug in the rule, never a finding about the SQL. */
export class ReviewRuleError extends Error {
  constructor(
    readonly ruleId: string,
    readonly statementOrdinal: number,
    cause: unknown,
  ) {
    super(`review rule ${ruleId} failed on statement ${statementOrdinal + 1}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = "ReviewRuleError";
  }
}

const CREATE_TABLE_TEXT = /^\s*CREATE\s+(?:TEMPORARY\s+|UNLOGGED\s+)?TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?([\w`"$.]+)/i;

interface ActiveRule<R extends ReviewRule> {
  rule: R;
  level: FindingLevel;
}

type ActiveRuleSet = ReturnType<typeof activeRules>;

/**
 * The rules a config turns on for an engine and environment, worked out once per config object (configs are not changed
 * after they are read): most reviews are a few statements, and working the levels out again cost ~40 µs a review, more
 * than parsing a short statement. Which of them run on which statement kind is worked out as kinds are met, and kept with
 * them (StatementRuleDispatch).
 */
const activeRuleSets = new WeakMap<ReviewConfig, Map<string, ActiveRuleSet>>();

function activeRulesFor(request: ReviewRequest): ActiveRuleSet {
  const key = `${request.engine} ${request.environment.tier} ${request.environment.name}`;
  let byKey = activeRuleSets.get(request.config);
  if (!byKey) activeRuleSets.set(request.config, (byKey = new Map()));
  let rules = byKey.get(key);
  if (!rules) byKey.set(key, (rules = activeRules(request)));
  return rules;
}

function activeRules(request: Pick<ReviewRequest, "engine" | "environment" | "config">) {
  const levels = resolveRuleLevels(reviewRules, request.environment, request.config);
  const active = <R extends ReviewRule>(scope: R["scope"]): Array<ActiveRule<R>> =>
    reviewRules
      .filter((rule): rule is R => rule.scope === scope && rule.engines.includes(request.engine))
      .flatMap((rule) => {
        const level = levels.get(rule.id);
        return level && level !== "off" ? [{ rule, level }] : [];
      });
  const statement = active<StatementRule>("statement");
  return {
    parse: levels.get("statement.parse") ?? "error",
    statement,
    dispatch: new StatementRuleDispatch(statement),
    change: active<ChangeRule>("change"),
    schema: active<SchemaRule>("schema"),
    catalog: active<CatalogRule>("catalog"),
  };
}

/**
 * Runs a statement's rules, in order. A plain function rather than a loop inside the async review: the review runs once per
 * change, so its own loop is seldom optimized, while this one runs for every statement.
 */
function statementHits(rules: Array<ActiveRule<StatementRule>>, ctx: StatementView): readonly StatementHit[] {
  let found: StatementHit[] | undefined;
  for (let r = 0; r < rules.length; r++) {
    const { rule, level } = rules[r]!;
    let hits: readonly RuleHit[];
    try {
      hits = rule.check(ctx);
    } catch (error) {
      throw new ReviewRuleError(rule.id, ctx.ordinal, error);
    }
    for (let i = 0; i < hits.length; i++) (found ??= []).push({ rule, level, hit: hits[i]! });
  }
  return found ?? NO_STATEMENT_HITS;
}

interface StatementHit {
  rule: StatementRule;
  level: FindingLevel;
  hit: RuleHit;
}

const NO_STATEMENT_HITS: readonly StatementHit[] = EMPTY;

/** Hands one statement to every change rule's reader. */
function readStatement(readers: ReadonlyArray<{ rule: ChangeRule; reader: ChangeReader }>, statement: ChangeStatement): void {
  for (let r = 0; r < readers.length; r++) {
    const { rule, reader } = readers[r]!;
    try {
      reader.read(statement);
    } catch (error) {
      throw new ReviewRuleError(rule.id, statement.ordinal, error);
    }
  }
}

/** Hands a table's state after a statement to every schema rule's reader. */
function followTable(readers: ReadonlyArray<{ rule: SchemaRule; reader: SchemaReader }>, key: string, step: TableStep): void {
  for (let r = 0; r < readers.length; r++) {
    const { rule, reader } = readers[r]!;
    try {
      reader.step(key, step);
    } catch (error) {
      throw new ReviewRuleError(rule.id, Math.max(0, step.ordinal), error);
    }
  }
}

/**
 * The statement rules for each statement kind, gathered once per kind met (and kept with the config's rules: the kinds
 * are a few dozen), so a statement runs only the rules that read its kind. A CREATE's kind is what it creates
 * (`create table`, `create index`...); an ALTER's, what its clauses change (`alter column`, `alter constraint`...). A
 * rule `on` plain `create` or `alter` takes them all.
 */
class StatementRuleDispatch {
  /** Statement type → what it creates or changes (its keyword, or an ALTER's clause resources) → the rules. */
  private readonly byKind = new Map<string, Map<string, Array<ActiveRule<StatementRule>>>>();

  constructor(private readonly rules: Array<ActiveRule<StatementRule>>) {}

  for(node: AstNode): Array<ActiveRule<StatementRule>> {
    const type = String(node.type);
    // Looked up without building the kinds' names: a CREATE by its keyword, an ALTER by its clauses' resources.
    const key = type === "create" ? String(node.keyword) : type === "alter" ? alterResources(node) : "";
    let byKey = this.byKind.get(type);
    if (!byKey) this.byKind.set(type, (byKey = new Map()));
    let rules = byKey.get(key);
    if (!rules) {
      const kinds = type === "create" ? [`create ${key}`] : type === "alter" ? alterKinds(node) : [];
      rules = this.rules.filter(({ rule }) => !rule.on || rule.on.includes(type) || kinds.some((kind) => rule.on!.includes(kind)));
      byKey.set(key, rules);
    }
    return rules;
  }
}

/** An ALTER's clause resources as one key (`column`, or `column constraint`...); a one-clause ALTER, the common one, needs no joining. */
function alterResources(node: AstNode): string {
  const actions = node.expr as unknown;
  if (Array.isArray(actions) && actions.length === 1) return String((actions[0] as AstNode | undefined)?.resource);
  return alterKinds(node).join(" ");
}

/** What an ALTER's clauses change, one `alter <resource>` each (`alter column`, `alter constraint`...), sorted. */
function alterKinds(node: AstNode): string[] {
  const kinds: string[] = [];
  for (const action of asArray(node.expr as AstNode[])) {
    const kind = `alter ${String(action?.resource)}`;
    if (!kinds.includes(kind)) kinds.push(kind);
  }
  return kinds.sort();
}

/**
 * The findings of one review, and how a rule's hit becomes one. A class rather than helpers made inside each review: V8
 * keeps the optimized code of a function made per review only while one of them lives, so after each full collection the
 * next review compiled them again (traced 2026-12-04: `add` and `record`, ~20 ms of TurboFan every few passes over the
 * corpus); a method is made once.
 */
class FindingList {
  readonly items: ReviewFinding[] = [];

  constructor(
    private readonly statements: readonly SqlStatement[],
    private readonly catalog: ReviewCatalog | undefined,
    private readonly largeTableRows: number,
  ) {}

  add(rule: ReviewRule, level: FindingLevel, ordinal: number, hit: RuleHit, message = hit.message): void {
    const statement = this.statements[ordinal]!;
    this.items.push({
      ruleId: rule.id,
      level,
      statementOrdinal: ordinal,
      line: hit.line ?? statement.line,
      column: hit.column ?? statement.column,
      message,
      advice: hit.advice ?? rule.advice,
    });
  }

  /** A warning on a large table becomes an error: the only finding that waits for the catalog, so the only one awaited. */
  escalates(rule: ReviewRule, level: FindingLevel, hit: RuleHit): boolean {
    return Boolean(this.catalog && rule.escalatesOnLargeTable && hit.table && level === "warning");
  }

  async addEscalated(rule: ReviewRule, ordinal: number, hit: RuleHit): Promise<void> {
    const rows = await this.catalog!.tableRowEstimate(hit.table!);
    if (rows !== undefined && rows > this.largeTableRows) this.add(rule, "error", ordinal, hit, `${hit.message} ${hit.table} has about ${rows} rows.`);
    else this.add(rule, "warning", ordinal, hit);
  }

  /** A reader's hits at the end of the review, each at its statement (at most the last); only a hit that escalates is awaited. */
  async addAll(rule: ReviewRule, level: FindingLevel, hits: readonly ReaderHit[]): Promise<void> {
    for (let i = 0; i < hits.length; i++) {
      const hit = hits[i]!;
      const ordinal = Math.min(hit.ordinal, this.statements.length - 1);
      if (this.escalates(rule, level, hit)) await this.addEscalated(rule, ordinal, hit);
      else this.add(rule, level, ordinal, hit);
    }
  }
}

/** Whether a table existed before the change (not created earlier in it); bound to the change's state once per review. */
function isExistingTable(this: ChangeState, table: string): boolean {
  return !this.createdTables.has(tableKey(table));
}

const byStatementThenSeverity = (a: ReviewFinding, b: ReviewFinding): number => a.statementOrdinal - b.statementOrdinal || severity(a.level) - severity(b.level);

export async function reviewStatements(request: ReviewRequest): Promise<ReviewReport> {
  const { engine, statements, config, catalog } = request;
  if (engine === "postgres") await loadPostgresParser();
  const options = config.options;
  const rules = activeRulesFor(request);
  const dispatch = rules.dispatch;
  const findings = new FindingList(statements, catalog, options.largeTableRows);
  const change: ChangeState = { createdTables: new Set(), alteredTables: new Set() };
  const changeReaders = rules.change.map(({ rule, level }) => ({ rule, level, reader: rule.reader({ engine, statementCount: statements.length, options }) }));
  const schemaReaders = rules.schema.map(({ rule, level }) => ({ rule, level, reader: rule.reader({ engine, options }) }));
  const walk = new WalkThrough(engine, catalog, schemaReaders.length === 0 ? undefined : followTable.bind(undefined, schemaReaders));
  const isExisting: (table: string) => boolean = isExistingTable.bind(change);

  for (let ordinal = 0; ordinal < statements.length; ordinal++) {
    const statement = statements[ordinal]!;
    const result = parseStatement(engine, statement);
    readStatement(changeReaders, { ordinal, statement, parsed: result });
    if (result.failure) {
      if (rules.parse !== "off") {
        findings.items.push({
          ruleId: "statement.parse",
          level: rules.parse,
          statementOrdinal: ordinal,
          line: result.failure.line,
          column: result.failure.column,
          message: `Statement cannot be parsed: manual review required. ${firstLine(result.failure.message)}`,
          advice: "Have a reviewer read this statement; no automatic rule checked it.",
        });
      }
      const created = CREATE_TABLE_TEXT.exec(statement.text)?.[1];
      if (created) change.createdTables.add(tableKey(created.replace(/[`"]/g, "")));
    }
    // Indexed loops: a for-of in this async function allocates an iterator result per step.
    for (let n = 0; n < result.nodes.length; n++) {
      const node = result.nodes[n]!;
      if (catalog) await walk.seed(node);
      const ctx = new StatementView(engine, statement, ordinal, result, node, options, change, walk.step(node, ordinal), isExisting);
      const hits = statementHits(dispatch.for(node), ctx);
      for (let i = 0; i < hits.length; i++) {
        const { rule, level, hit } = hits[i]!;
        if (findings.escalates(rule, level, hit)) await findings.addEscalated(rule, ordinal, hit);
        else findings.add(rule, level, ordinal, hit);
      }
      if (catalog) {
        for (const { rule, level } of rules.catalog) {
          let hits: readonly RuleHit[];
          try {
            hits = await rule.check(Object.assign(Object.create(ctx) as StatementView, { catalog }));
          } catch (error) {
            throw new ReviewRuleError(rule.id, ordinal, error);
          }
          for (const hit of hits) {
            if (findings.escalates(rule, level, hit)) await findings.addEscalated(rule, ordinal, hit);
            else findings.add(rule, level, ordinal, hit);
          }
        }
      }
      if (isCreateTable(node)) change.createdTables.add(tableKey(targetTable(node)));
      if (node.type === "alter") change.alteredTables.add(tableKey(targetTable(node)));
    }
  }

  for (const { rule, level, reader } of changeReaders) {
    let hits: readonly ReaderHit[];
    try {
      hits = reader.finish();
    } catch (error) {
      throw new ReviewRuleError(rule.id, 0, error);
    }
    await findings.addAll(rule, level, hits);
  }

  for (const { rule, level, reader } of schemaReaders) {
    let hits: readonly ReaderHit[];
    try {
      hits = reader.finish();
    } catch (error) {
      throw new ReviewRuleError(rule.id, 0, error);
    }
    await findings.addAll(rule, level, hits);
  }

  const all = findings.items.sort(byStatementThenSeverity);
  return {
    statementCount: statements.length,
    errorCount: all.filter((finding) => finding.level === "error").length,
    warningCount: all.filter((finding) => finding.level === "warning").length,
    findings: all,
  };
}

/**
 * What a statement rule sees. Rules destructure `isExistingTable`, so it needs no `this` (one per review, bound to the
 * change's state); `facts()` is a method, read as `ctx.facts()`, and works them out on first use.
 */
class StatementView implements StatementContext {
  private expressionFacts?: ExpressionFacts;

  constructor(
    readonly engine: EngineName,
    readonly statement: SqlStatement,
    readonly ordinal: number,
    readonly parsed: ParsedStatement,
    readonly node: AstNode,
    readonly options: ReviewOptions,
    readonly change: ChangeState,
    readonly schema: SchemaView,
    readonly isExistingTable: (table: string) => boolean,
  ) {}

  facts(): ExpressionFacts {
    return (this.expressionFacts ??= this.parsed.plain ? NO_FACTS : expressionFacts(this.node));
  }
}

/** The facts of a statement with no expression in it. */
const NO_FACTS: ExpressionFacts = Object.freeze({
  inListSizes: Object.freeze([]) as unknown as number[],
  likePatterns: Object.freeze([]) as unknown as string[],
  functionNames: Object.freeze([]) as unknown as string[],
  selectsStar: false,
  orderByRandom: false,
});

const severity = (level: FindingLevel): number => (level === "error" ? 0 : 1);

function firstLine(text: string): string {
  const line = text.split("\n", 1)[0] ?? "";
  return line.length > 200 ? `${line.slice(0, 200)}…` : line;
}
