// Naming rules: identifiers follow the configured patterns and fit the engine's length limit.
import { addedConstraint, alterActions, asArray, columnName, constraintType, createTableConstraints, definedColumns, isCreateIndex, isCreateTable, targetTable } from "../ast.ts";
import type { ReviewOptions } from "../config.ts";
import type { AstNode } from "../parse.ts";
import type { ReviewRule, RuleHit, StatementContext } from "../types.ts";
import { BOTH, statementRule } from "./define.ts";

type IndexKind = "index" | "unique" | "foreign key";

/** Named indexes and constraints a statement creates, by kind. */
function namedIndexes(node: AstNode): Array<{ kind: IndexKind; name: string }> {
  const kindOf = (definition: AstNode, fallback: string): IndexKind | undefined => {
    const type = constraintType(definition) || fallback;
    if (type.includes("foreign")) return "foreign key";
    if (type.includes("unique")) return "unique";
    if (type.includes("primary") || type.includes("check")) return undefined;
    return "index";
  };
  if (isCreateIndex(node)) {
    return node.index ? [{ kind: String(node.index_type).toLowerCase() === "unique" ? "unique" : "index", name: String(node.index) }] : [];
  }
  const definitions = isCreateTable(node)
    ? createTableConstraints(node)
    : alterActions(node).map(addedConstraint).filter((definition): definition is AstNode => definition !== undefined);
  return definitions.flatMap((definition) => {
    const kind = kindOf(definition, String(definition.keyword ?? ""));
    const name = definition.constraint ?? definition.index;
    return kind && name ? [{ kind, name: String(name) }] : [];
  });
}

const unqualified = (name: string): string => name.slice(name.lastIndexOf(".") + 1);

/** Tables a statement names: CREATE TABLE, ALTER TABLE ... RENAME TO, RENAME TABLE. */
function newTableNames(node: AstNode): string[] {
  if (isCreateTable(node)) return [unqualified(targetTable(node))];
  if (node.type === "rename") return asArray(node.table as AstNode[][]).map((pair) => String(pair[1]?.table ?? ""));
  return alterActions(node)
    .filter((action) => action.action === "rename" && action.resource === "table")
    .map((action) => String(action.table));
}

function newColumnNames(node: AstNode): string[] {
  return [
    ...definedColumns(node).map((column) => column.name),
    ...alterActions(node).filter((action) => action.action === "rename" && action.resource === "column").map((action) => columnName(action.column)),
  ];
}

const patternCache = new Map<string, RegExp>();
const compiled = (pattern: string): RegExp => {
  let regexp = patternCache.get(pattern);
  if (!regexp) patternCache.set(pattern, (regexp = new RegExp(pattern)));
  return regexp;
};

function namingRule(
  id: string,
  what: string,
  option: keyof Pick<ReviewOptions, "namingTable" | "namingColumn" | "namingIndex" | "namingUnique" | "namingForeignKey">,
  names: (node: AstNode) => string[],
) {
  return statementRule({
    id,
    category: "naming",
    engines: BOTH,
    description: `${what} name does not match the \`${option}\` pattern.`,
    advice: `Rename the ${what.toLowerCase()} to match the pattern in sluice.yml's review options.`,
    defaults: { test: "warning", prod: "warning" },
    check: ({ node, options }: StatementContext): RuleHit[] =>
      names(node)
        .filter((name) => name !== "" && !compiled(options[option]).test(name))
        .map((name) => ({ message: `${what} name ${name} does not match ${options[option]}.` })),
  });
}

const indexNames = (kind: IndexKind) => (node: AstNode) =>
  namedIndexes(node).filter((index) => index.kind === kind).map((index) => index.name);

export const namingRules: ReviewRule[] = [
  namingRule("naming.table", "Table", "namingTable", newTableNames),
  namingRule("naming.column", "Column", "namingColumn", newColumnNames),
  namingRule("naming.index", "Index", "namingIndex", indexNames("index")),
  namingRule("naming.unique", "Unique key", "namingUnique", indexNames("unique")),
  namingRule("naming.foreign-key", "Foreign key", "namingForeignKey", indexNames("foreign key")),
  statementRule({
    id: "naming.identifier.length",
    category: "naming",
    engines: BOTH,
    description: "Identifier longer than the engine allows (64 characters in MySQL, 63 bytes in PostgreSQL, which truncates silently).",
    advice: "Shorten the name.",
    defaults: { test: "error", prod: "error" },
    check: ({ node, engine }) => {
      const limit = engine === "mysql" ? 64 : 63;
      const names = [...newTableNames(node), ...newColumnNames(node), ...namedIndexes(node).map((index) => index.name)];
      return names
        .filter((name) => (engine === "mysql" ? name.length : Buffer.byteLength(name)) > limit)
        .map((name) => ({ message: `Identifier ${name} is longer than ${limit}.` }));
    },
  }),
];
