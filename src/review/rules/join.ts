// Join rules: what the columns a join compares are, as the walk-through catalog knows them.
import { asArray, columnName, joinLists, tableKey, tableName } from "../ast.ts";
import type { AstNode } from "../parse.ts";
import type { RuleHit, StatementContext } from "../types.ts";
import type { WalkColumn, WalkTable } from "../walk-through.ts";
import { MYSQL, NO_HITS, statementRule } from "./define.ts";

/** Types whose length is part of the type (a VARCHAR(10) is not a VARCHAR(20)); an integer's display width is not. */
const SIZED_TYPES = new Set(["CHAR", "VARCHAR", "BINARY", "VARBINARY", "DECIMAL", "NUMERIC", "BIT", "FLOAT", "DOUBLE"]);

interface JoinedColumn {
  /** The name the statement gives the column: `alias.column`. */
  label: string;
  table: WalkTable;
  column: WalkColumn;
}

/** The column's type as written: `VARCHAR(20)`, `INT UNSIGNED`. */
function typeText(column: WalkColumn): string {
  const sized = SIZED_TYPES.has(column.type) && column.length !== undefined ? `${column.type}(${column.length})` : column.type;
  return column.unsigned ? `${sized} UNSIGNED` : sized;
}

/** Character set and collation a column has: its own, else its table's default as the change stated it. */
const charsetOf = (joined: JoinedColumn): string | undefined => joined.column.charset ?? joined.table.charset;
const collationOf = (joined: JoinedColumn): string | undefined => (joined.column.collation ?? (joined.column.charset ? undefined : joined.table.collation))?.toLowerCase();

/** How two joined columns differ, or nothing when they match (a charset or collation is compared only when both are known). */
function differences(left: JoinedColumn, right: JoinedColumn): string[] {
  const found: string[] = [];
  const [leftType, rightType] = [typeText(left.column), typeText(right.column)];
  if (leftType !== rightType) found.push(`type ${leftType} against ${rightType}`);
  const [leftCharset, rightCharset] = [charsetOf(left), charsetOf(right)];
  if (leftCharset && rightCharset && leftCharset !== rightCharset) found.push(`character set ${leftCharset} against ${rightCharset}`);
  const [leftCollation, rightCollation] = [collationOf(left), collationOf(right)];
  if (leftCollation && rightCollation && leftCollation !== rightCollation) found.push(`collation ${leftCollation} against ${rightCollation}`);
  return found;
}

/** `hits` with a finding added when the two columns (both resolved, of different tables) differ; the list is made on the first. */
function compare(hits: RuleHit[] | undefined, left: JoinedColumn | undefined, right: JoinedColumn | undefined): RuleHit[] | undefined {
  if (!left || !right || left.table === right.table) return hits;
  const differs = differences(left, right);
  if (differs.length === 0) return hits;
  (hits ??= []).push({ message: `${left.label} = ${right.label} compares columns that differ: ${differs.join(", ")}.` });
  return hits;
}

/** A base table of a FROM list, by the name the statement uses for it (alias, else name). */
interface Source {
  name: string;
  table: WalkTable;
}

/** The column of that (lower-cased) name in a table, any case. */
function findColumn(table: WalkTable, name: string): WalkColumn | undefined {
  for (let i = 0; i < table.columns.length; i++) {
    const column = table.columns[i]!;
    if (column.name.toLowerCase() === name) return column;
  }
  return undefined;
}

/** The joined column a column reference names; an unqualified one only when just one of the tables has it. */
function resolve(ref: AstNode, sources: readonly Source[]): JoinedColumn | undefined {
  const name = columnName(ref).toLowerCase();
  const qualifier = ref.table ? String(ref.table).toLowerCase() : undefined;
  let match: JoinedColumn | undefined;
  for (let i = 0; i < sources.length; i++) {
    const source = sources[i]!;
    if (qualifier !== undefined && source.name !== qualifier) continue;
    const column = findColumn(source.table, name);
    if (!column) continue;
    if (match) return undefined;
    match = { label: `${qualifier ?? source.name}.${column.name}`, table: source.table, column };
  }
  return match;
}

const LOGICAL_OPERATORS = new Set(["AND", "OR", "XOR", "&&", "||"]);

/** `hits` with the mismatches of the equality comparisons of two columns in an ON condition, through AND/OR and parentheses (not into subqueries). */
function onMismatches(hits: RuleHit[] | undefined, on: AstNode, sources: readonly Source[]): RuleHit[] | undefined {
  const stack: unknown[] = [on];
  while (stack.length > 0) {
    const value = stack.pop() as AstNode | undefined;
    if (!value || typeof value !== "object" || value.ast || value.type !== "binary_expr") continue;
    const operator = String(value.operator).toUpperCase();
    if (LOGICAL_OPERATORS.has(operator)) stack.push(value.left, value.right);
    else if ((operator === "=" || operator === "<=>") && value.left?.type === "column_ref" && value.right?.type === "column_ref") {
      hits = compare(hits, resolve(value.left, sources), resolve(value.right, sources));
    }
  }
  return hits;
}

/** Whether any table of the list is joined with ON or USING (most FROM lists join nothing, and need no catalog look-up). */
function joinsWithCondition(list: readonly AstNode[]): boolean {
  for (let i = 0; i < list.length; i++) {
    const item = list[i]!;
    if (item.on || item.using) return true;
  }
  return false;
}

/** `hits` with the join mismatches of one FROM list: `ON a.x = b.y` between its tables, and `USING (x)` between the tables before it and the one it joins. */
function listMismatches(hits: RuleHit[] | undefined, list: readonly AstNode[], schema: StatementContext["schema"]): RuleHit[] | undefined {
  if (!joinsWithCondition(list)) return hits;
  const sources: Source[] = [];
  for (let i = 0; i < list.length; i++) {
    const item = list[i]!;
    const table = item.table ? schema.before(tableName(item)) : undefined;
    const joined = table?.complete ? { name: String(item.as ?? tableKey(tableName(item))).toLowerCase(), table } : undefined;
    if (joined && item.using) {
      const usings = asArray(item.using as AstNode[]);
      for (let j = 0; j < usings.length; j++) {
        const using = usings[j]!;
        const name = columnName(using).toLowerCase();
        const right = findColumn(joined.table, name);
        if (!right) continue;
        for (let k = 0; k < sources.length; k++) {
          const source = sources[k]!;
          const left = findColumn(source.table, name);
          if (left) hits = compare(hits, { label: `${source.name}.${left.name}`, table: source.table, column: left }, { label: `${joined.name}.${right.name}`, table: joined.table, column: right });
        }
      }
    }
    if (joined) sources.push(joined);
    if (item.on) hits = onMismatches(hits, item.on, sources);
  }
  return hits;
}

export const joinRules = [
  statementRule({
    id: "statement.join.column-mismatch",
    category: "statement",
    engines: MYSQL,
    description:
      "A join (`ON a.x = b.y` or `USING (x)`) compares columns whose type, character set or collation differ, as the schema stands at that statement: MySQL converts one side, and an index on it may go unused.",
    advice: "Join on columns of the same type, character set and collation, or change one of them to match the other first.",
    defaults: { test: "warning", prod: "warning" },
    on: ["select", "insert", "replace", "update", "delete"],
    check: ({ node, schema }) => {
      let hits: RuleHit[] | undefined;
      const lists = joinLists(node);
      for (let i = 0; i < lists.length; i++) {
        const list = lists[i]!;
        hits = listMismatches(hits, list, schema);
      }
      return hits ?? NO_HITS;
    },
  }),
];
