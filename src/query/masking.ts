// Masking by provenance. A sensitive column may reach a result only as itself: selected as it is (directly, or through
// derived tables, CTEs, VALUES, UNION ALL and scalar subqueries), and then that result column is masked. Any other use
// — a filter, a join, an ordering, a grouping, a computation, a whole row, a function in FROM — is refused, naming the
// column, because its value could then leave through row counts, order, errors or timing. What the analysis cannot
// follow is refused too.
import type { MaskingConfig } from "../config/schema.ts";
import type { QueryColumn } from "../engines/engine.ts";
import type { ShapeClause, ShapeExpr, ShapeQuery, ShapeSource } from "../engines/query-shape.ts";
import { QueryRefusedError } from "./refusal.ts";

export const MASK = "••••••";

export class SensitiveColumns {
  private readonly patterns: RegExp[];

  constructor(
    private readonly config: MaskingConfig,
    private readonly database: string,
  ) {
    this.patterns = config.patterns.map((pattern) => new RegExp(pattern, "i"));
  }

  /** `table` undefined means "some table": any rule naming the column matches. */
  isSensitive(table: string | undefined, column: string): boolean {
    const bareColumn = column.toLowerCase();
    if (this.patterns.some((pattern) => pattern.test(bareColumn))) return true;
    const bareTable = table?.slice(table.lastIndexOf(".") + 1).toLowerCase();
    return this.config.columns.some(
      (rule) =>
        rule.column.toLowerCase() === bareColumn &&
        (rule.database === undefined || rule.database.toLowerCase() === this.database.toLowerCase()) &&
        (rule.table === undefined || bareTable === undefined || rule.table.toLowerCase() === bareTable),
    );
  }
}

/**
 * One column a query produces, or a `*` over tables whose columns Sluice does not know (`tables`; empty for a function
 * in FROM). `sources` names the sensitive columns whose values it carries.
 */
interface Produced {
  name?: string;
  sources: string[];
  unknownColumnsOf?: string[];
}

type Relation = { name: string; table: string } | { name: string; columns: Produced[] };

class Scope {
  readonly relations: Relation[] = [];
  readonly ctes = new Map<string, Produced[]>();

  constructor(readonly parent?: Scope) {}

  cte(name: string): Produced[] | undefined {
    return this.ctes.get(name) ?? this.parent?.cte(name);
  }

  relation(name: string): Relation | undefined {
    return this.relations.find((relation) => relation.name === name) ?? this.parent?.relation(name);
  }

  visible(): Relation[] {
    return [...this.relations, ...(this.parent?.visible() ?? [])];
  }
}

const lower = (name: string): string => name.toLowerCase();

function refuse(source: string, where: string): never {
  throw new QueryRefusedError(
    `the sensitive column \`${source}\` is used ${where}. /db query shows a sensitive column only when it is selected as it is, and then masks it; it may not filter, join, sort, group or be computed on, so its value cannot leak through which rows come back. Remove that use, or ask an approver to run it with /db admin.`,
  );
}

/** What decides a query's masking; built once per query, before it runs. */
export class MaskingPlan {
  constructor(
    private readonly produced: Produced[],
    private readonly rules: SensitiveColumns | undefined,
  ) {}

  /** A plan that masks every column. */
  static everything(): MaskingPlan {
    return new MaskingPlan([], undefined);
  }

  /** One flag per result column: true means its values are masked. */
  maskedColumns(columns: QueryColumn[]): boolean[] {
    if (!this.rules) return columns.map(() => true);
    const rules = this.rules;
    const byPosition = this.alignedTo(columns);
    return columns.map((column, index) => {
      if (rules.isSensitive(undefined, column.name)) return true;
      if (column.column !== undefined && rules.isSensitive(column.table, column.column)) return true;
      const produced = byPosition[index];
      if (produced === undefined) return this.produced.some((entry) => entry.sources.length > 0 || (entry.unknownColumnsOf?.length ?? 0) > 0);
      return produced.some((entry) => entry.sources.length > 0 || (entry.unknownColumnsOf ?? []).some((table) => rules.isSensitive(table, column.name)));
    });
  }

  /** For each result column, what may have produced it: one entry where the select list lines up, several under a `*` whose width is unknown. */
  private alignedTo(columns: QueryColumn[]): Array<Produced[] | undefined> {
    const entries = this.produced;
    const unknown = entries.map((entry, index) => (entry.unknownColumnsOf ? index : -1)).filter((index) => index >= 0);
    if (unknown.length === 0) return columns.map((_, index) => (entries.length === columns.length ? [entries[index]!] : undefined));
    const first = unknown[0]!;
    const last = unknown[unknown.length - 1]!;
    const after = entries.length - 1 - last;
    if (columns.length < first + after) return columns.map(() => undefined);
    const middle = entries.slice(first, last + 1);
    return columns.map((_, index) => {
      if (index < first) return [entries[index]!];
      if (index >= columns.length - after) return [entries[entries.length - (columns.length - index)]!];
      return middle;
    });
  }
}

/** Follows every column reference of a query; throws QueryRefusedError where a sensitive value is used other than selected. */
export class MaskingAnalysis {
  constructor(
    private readonly rules: SensitiveColumns,
    /** Names a relation the query may not read (statistics catalogs, which hold column values), or undefined. */
    private readonly refusedRelation: (name: string[]) => string | undefined,
  ) {}

  plan(query: ShapeQuery): MaskingPlan {
    return new MaskingPlan(this.query(query, new Scope()), this.rules);
  }

  /** SHOW, DESCRIBE and EXPLAIN return no table data: only the name rules and the server's column sources mask them. */
  planWithoutShape(): MaskingPlan {
    return new MaskingPlan([], this.rules);
  }

  private query(query: ShapeQuery, outer: Scope): Produced[] {
    if (query.kind === "values") {
      const scope = new Scope(outer);
      const width = Math.max(0, ...query.rows.map((row) => row.length));
      const produced: Produced[] = Array.from({ length: width }, (_, index) => ({ name: `column${index + 1}`, sources: [] }));
      for (const row of query.rows) row.forEach((expr, index) => produced[index]!.sources.push(...this.value(expr, scope, "in VALUES")));
      this.clauses(query.clauses, scope, produced);
      return produced;
    }
    const scope = new Scope(outer);
    this.ctes(query.ctes, query.recursive, scope);
    if (query.kind === "set") {
      const [left, right] = query.branches.map((branch) => this.query(branch, scope)) as [Produced[], Produced[]];
      const produced = combine(left, right);
      if (!query.keepsDuplicates) this.refuseCompared(produced, `by ${query.operator}, which compares rows`);
      this.clauses(query.clauses, scope, produced);
      return produced;
    }
    for (const source of query.from) this.source(source, scope);
    const produced: Produced[] = query.items.flatMap((item) => {
      if (item.kind === "star") return this.star(item.qualifier, scope);
      const entry: Produced = { sources: this.value(item.expr, scope, "in the select list") };
      if (item.name !== undefined) entry.name = lower(item.name);
      return [entry];
    });
    this.clauses(query.clauses, scope, produced);
    if (query.distinct) this.refuseCompared(produced, "by DISTINCT, which compares rows");
    return produced;
  }

  private refuseCompared(produced: Produced[], where: string): void {
    for (const entry of produced) {
      const source = entry.sources[0] ?? entry.unknownColumnsOf?.map((table) => `${table}.*`)[0];
      if (source !== undefined) refuse(source, where);
    }
  }

  private ctes(ctes: Array<{ name: string; columns: string[]; query: ShapeQuery }>, recursive: boolean, scope: Scope): void {
    for (const cte of ctes) {
      const name = lower(cte.name);
      if (recursive) {
        // A recursive CTE reads itself: start from its first branch, then read it whole until its columns settle.
        const seed = cte.query.kind === "set" ? cte.query.branches[0] : cte.query;
        scope.ctes.set(name, renamed(this.query(seed, scope), cte.columns));
        scope.ctes.set(name, renamed(this.query(cte.query, scope), cte.columns));
      }
      scope.ctes.set(name, renamed(this.query(cte.query, scope), cte.columns));
    }
  }

  private source(source: ShapeSource, scope: Scope): void {
    switch (source.kind) {
      case "table": {
        const bare = lower(source.name[source.name.length - 1]!);
        const cte = source.name.length === 1 ? scope.cte(bare) : undefined;
        const name = lower(source.alias ?? bare);
        if (cte) {
          scope.relations.push({ name, columns: renamed(cte, source.columns) });
          return;
        }
        const refusal = this.refusedRelation(source.name.map(lower));
        if (refusal) throw new QueryRefusedError(refusal);
        if (source.columns.length > 0) {
          throw new QueryRefusedError(`the column list after \`${source.alias}\` renames ${bare}'s columns by position, which Sluice cannot follow to mask them. Use column aliases in the select list instead.`);
        }
        scope.relations.push({ name, table: source.name.map(lower).join(".") });
        return;
      }
      case "query":
        scope.relations.push({ name: lower(source.alias ?? ""), columns: renamed(this.query(source.query, scope), source.columns) });
        return;
      case "function":
        this.value(source.call, scope, "as an argument of a function in FROM");
        scope.relations.push({
          name: lower(source.alias ?? ""),
          columns: source.columns.length > 0 ? source.columns.map((column) => ({ name: lower(column), sources: [] })) : [{ sources: [], unknownColumnsOf: [] }],
        });
        return;
      case "join": {
        this.source(source.left, scope);
        this.source(source.right, scope);
        if (source.natural) throw new QueryRefusedError("NATURAL JOIN compares every column the two sides share, which Sluice cannot see to check for sensitive ones. Write JOIN … ON or USING.");
        for (const column of source.using) {
          const sources = this.column([], lower(column), scope);
          if (sources.length > 0) refuse(sources[0]!, "in JOIN … USING");
        }
        for (const expr of source.on) this.forbid(expr, scope, "in JOIN … ON");
      }
    }
  }

  private clauses(clauses: ShapeClause[], scope: Scope, produced: Produced[]): void {
    for (const clause of clauses) {
      for (const expr of clause.exprs) {
        const where = `in ${clause.clause}`;
        if (clause.seesOutputNames) {
          const output = outputReference(expr, produced);
          if (output) this.refuseCompared([output], where);
        }
        this.forbid(expr, scope, where);
      }
    }
  }

  /** The expression may read nothing sensitive. */
  private forbid(expr: ShapeExpr, scope: Scope, where: string): void {
    const sources = this.value(expr, scope, where);
    if (sources.length > 0) refuse(sources[0]!, where);
  }

  /** The sensitive columns whose values an expression passes on as they are; refuses any other use of one. */
  private value(expr: ShapeExpr, scope: Scope, where: string): string[] {
    switch (expr.kind) {
      case "column":
        return this.column(expr.qualifier.map(lower), lower(expr.column), scope);
      case "row":
        return this.row(expr.qualifier.map(lower), scope);
      case "position":
        return [];
      case "subquery": {
        const produced = this.query(expr.query, scope);
        if (expr.use === "exists") return [];
        const sources = produced.flatMap((entry) => [...entry.sources, ...(entry.unknownColumnsOf ?? []).map((table) => `${table}.*`)]);
        if (expr.use === "value") return sources;
        if (sources.length > 0) refuse(sources[0]!, `in a subquery that is compared or computed on ${where}`);
        return [];
      }
      case "computed":
        for (const part of expr.parts) {
          const sources = this.value(part, scope, where);
          if (sources.length > 0) refuse(sources[0]!, `inside ${expr.what} ${where}`);
        }
        return [];
    }
  }

  private column(qualifier: string[], column: string, scope: Scope): string[] {
    if (qualifier.length > 0) {
      const relation = scope.relation(qualifier[qualifier.length - 1]!);
      if (relation) return columnOf(relation, column, this.rules);
      const table = qualifier.join(".");
      return this.rules.isSensitive(table, column) ? [`${table}.${column}`] : [];
    }
    const relations = scope.visible();
    if (relations.length === 0) return this.rules.isSensitive(undefined, column) ? [column] : [];
    const sources = relations.flatMap((relation) => columnOf(relation, column, this.rules));
    // PostgreSQL reads a bare name that is no column as the whole row of the relation so named.
    const named = relations.find((relation) => relation.name === column);
    return named ? [...sources, ...rowOf(named)] : sources;
  }

  private row(qualifier: string[], scope: Scope): string[] {
    if (qualifier.length === 0) return scope.relations.flatMap(rowOf);
    const relation = scope.relation(qualifier[qualifier.length - 1]!);
    return relation ? rowOf(relation) : [`${qualifier.join(".")}.*`];
  }

  private star(qualifier: string[], scope: Scope): Produced[] {
    const relations = qualifier.length === 0 ? scope.relations : [scope.relation(lower(qualifier[qualifier.length - 1]!))];
    return relations.flatMap((relation): Produced[] => {
      if (!relation) return [{ sources: [], unknownColumnsOf: [qualifier.map(lower).join(".")] }];
      return "table" in relation ? [{ sources: [], unknownColumnsOf: [relation.table] }] : relation.columns;
    });
  }
}

function columnOf(relation: Relation, column: string, rules: SensitiveColumns): string[] {
  if ("table" in relation) return rules.isSensitive(relation.table, column) ? [`${bareName(relation.table)}.${column}`] : [];
  return relation.columns.flatMap((entry) => {
    if (entry.unknownColumnsOf) return [...entry.sources, ...entry.unknownColumnsOf.filter((table) => rules.isSensitive(table, column)).map((table) => `${bareName(table)}.${column}`)];
    return entry.name === column ? entry.sources : [];
  });
}

/** A whole row carries every column; a table's columns are unknown here, so its row counts as sensitive. */
function rowOf(relation: Relation): string[] {
  if ("table" in relation) return [`${bareName(relation.table)}.* (a whole row)`];
  return relation.columns.flatMap((entry) => [...entry.sources, ...(entry.unknownColumnsOf ?? []).map((table) => `${bareName(table)}.* (a whole row)`)]);
}

function bareName(table: string): string {
  return table.slice(table.lastIndexOf(".") + 1);
}

/** A CTE's or derived table's column list renames its columns by position. */
function renamed(produced: Produced[], names: string[]): Produced[] {
  if (names.length === 0) return produced;
  if (produced.some((entry) => entry.unknownColumnsOf)) {
    throw new QueryRefusedError(`the column list (${names.join(", ")}) renames the columns of a \`*\` by position, which Sluice cannot follow to mask them. Name the columns in the select list instead.`);
  }
  return produced.map((entry, index) => (index < names.length ? { ...entry, name: lower(names[index]!) } : entry));
}

/** UNION ALL and the other set operations line their branches up by position. */
function combine(left: Produced[], right: Produced[]): Produced[] {
  if (left.length === right.length && !left.some((entry) => entry.unknownColumnsOf) && !right.some((entry) => entry.unknownColumnsOf)) {
    return left.map((entry, index) => ({ ...entry, sources: [...entry.sources, ...right[index]!.sources] }));
  }
  const all = [...left, ...right];
  return [{ sources: all.flatMap((entry) => entry.sources), unknownColumnsOf: all.flatMap((entry) => entry.unknownColumnsOf ?? []) }];
}

/** `ORDER BY 2` or `ORDER BY alias`: the select-list column it names. */
function outputReference(expr: ShapeExpr, produced: Produced[]): Produced | undefined {
  if (expr.kind === "position") return produced[expr.index - 1];
  if (expr.kind === "column" && expr.qualifier.length === 0) return produced.find((entry) => entry.name === lower(expr.column));
  return undefined;
}

/** Replaces every value of a masked column. */
export function applyMask(rows: unknown[][], masked: boolean[]): unknown[][] {
  if (!masked.includes(true)) return rows;
  return rows.map((row) => row.map((value, index) => (masked[index] ? MASK : value)));
}
