// Join rules: what the columns a join compares are, as the walk-through catalog knows them.
import { asArray, columnName, joinLists, tableKey, tableName } from "../ast.ts";
import type { AstNode } from "../parse.ts";
import type { StatementContext } from "../types.ts";
import type { WalkColumn, WalkTable } from "../walk-through.ts";
import { MYSQL, statementRule } from "./define.ts";

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

/** Equality comparisons of two columns in an ON condition, through AND/OR and parentheses (not into subqueries). */
function equalities(on: AstNode | undefined): Array<[AstNode, AstNode]> {
  const found: Array<[AstNode, AstNode]> = [];
  const stack: unknown[] = on ? [on] : [];
  while (stack.length > 0) {
    const value = stack.pop() as AstNode | undefined;
    if (!value || typeof value !== "object" || value.ast) continue;
    if (value.type !== "binary_expr") continue;
    const operator = String(value.operator).toUpperCase();
    if (operator === "AND" || operator === "OR" || operator === "XOR" || operator === "&&" || operator === "||") stack.push(value.left, value.right);
    else if ((operator === "=" || operator === "<=>") && value.left?.type === "column_ref" && value.right?.type === "column_ref") found.push([value.left, value.right]);
  }
  return found;
}

/** The join mismatches of one FROM list: `ON a.x = b.y` between its tables, and `USING (x)` between the tables before it and the one it joins. */
function listMismatches(list: AstNode[], schema: StatementContext["schema"]): string[] {
  // The list's base tables by the names the statement uses for them (alias, else name).
  const sources: Array<{ name: string; table: WalkTable }> = [];
  const found: string[] = [];
  const resolve = (ref: AstNode): JoinedColumn | undefined => {
    const name = columnName(ref).toLowerCase();
    const qualifier = ref.table ? String(ref.table).toLowerCase() : undefined;
    const candidates = sources.filter((source) => (qualifier === undefined ? true : source.name === qualifier));
    const matches = candidates.flatMap((source) => {
      const column = source.table.columns.find((c) => c.name.toLowerCase() === name);
      return column ? [{ label: `${qualifier ?? source.name}.${column.name}`, table: source.table, column }] : [];
    });
    // An unqualified column names one of the joined tables' columns only when just one of them has it.
    return matches.length === 1 ? matches[0] : undefined;
  };
  const compare = (left: JoinedColumn | undefined, right: JoinedColumn | undefined): void => {
    if (!left || !right || left.table === right.table) return;
    const differs = differences(left, right);
    if (differs.length > 0) found.push(`${left.label} = ${right.label} compares columns that differ: ${differs.join(", ")}.`);
  };
  for (const item of list) {
    const table = item.table ? schema.before(tableName(item)) : undefined;
    const joined = table?.complete ? { name: String(item.as ?? tableKey(tableName(item))).toLowerCase(), table } : undefined;
    if (joined && item.using) {
      for (const using of asArray(item.using as AstNode[])) {
        const name = columnName(using).toLowerCase();
        const right = joined.table.columns.find((c) => c.name.toLowerCase() === name);
        if (!right) continue;
        for (const source of sources) {
          const left = source.table.columns.find((c) => c.name.toLowerCase() === name);
          if (left) compare({ label: `${source.name}.${left.name}`, table: source.table, column: left }, { label: `${joined.name}.${right.name}`, table: joined.table, column: right });
        }
      }
    }
    if (joined) sources.push(joined);
    for (const [left, right] of equalities(item.on)) compare(resolve(left), resolve(right));
  }
  return found;
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
    check: ({ node, schema }) => joinLists(node).flatMap((list) => listMismatches(list, schema)).map((message) => ({ message })),
  }),
];
