// Naming rules: identifiers follow the configured patterns and fit the engine's length limit.
import { addedConstraint, alterActions, asArray, columnName, constraintType, createTableConstraints, definedColumns, isAutoIncrement, isCreateIndex, isCreateTable, targetTable } from "../ast.ts";
import type { EngineName } from "../../engines/engine.ts";
import type { ReviewOptions } from "../config.ts";
import type { AstNode } from "../parse.ts";
import type { ReviewRule, RuleHit, StatementContext } from "../types.ts";
import { BOTH, MYSQL, POSTGRES, statementRule } from "./define.ts";

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

/** Names of the primary-key constraints a statement creates (unnamed ones are the engine's business). */
function primaryKeyNames(node: AstNode): string[] {
  const definitions = isCreateTable(node)
    ? createTableConstraints(node)
    : alterActions(node).map(addedConstraint).filter((definition): definition is AstNode => definition !== undefined);
  return definitions.filter((definition) => constraintType(definition) === "primary key" && definition.constraint).map((definition) => String(definition.constraint));
}

/** Reserved words that clash most often with table and column names (the engines' lists are longer). */
const COMMON_RESERVED = ["ALL", "AND", "AS", "ASC", "BETWEEN", "BY", "CASE", "CHECK", "COLUMN", "CONSTRAINT", "CREATE", "DEFAULT", "DESC", "DISTINCT", "DROP", "ELSE", "FOR", "FOREIGN", "FROM", "GRANT", "GROUP", "HAVING", "IN", "INTO", "IS", "JOIN", "LEFT", "LIKE", "LIMIT", "NOT", "NULL", "ON", "OR", "ORDER", "PRIMARY", "REFERENCES", "RIGHT", "SELECT", "TABLE", "THEN", "TO", "UNION", "UNIQUE", "USING", "WHEN", "WHERE", "WITH"];
const RESERVED_WORDS: Record<EngineName, Set<string>> = {
  mysql: new Set([...COMMON_RESERVED, "ADD", "ALTER", "CHANGE", "CONDITION", "DATABASE", "DELETE", "DESCRIBE", "DIV", "EXISTS", "EXPLAIN", "FULLTEXT", "INDEX", "INSERT", "INTERVAL", "KEY", "KEYS", "KILL", "LOAD", "LOCK", "MATCH", "MOD", "RANGE", "READ", "RELEASE", "RENAME", "REPLACE", "SCHEMA", "SET", "SHOW", "SIGNAL", "SPATIAL", "SQL", "UPDATE", "USAGE", "VALUES", "WRITE", "RANK", "ROW", "ROWS"]),
  postgres: new Set([...COMMON_RESERVED, "ANALYSE", "ANALYZE", "ANY", "ARRAY", "ASYMMETRIC", "BOTH", "CAST", "COLLATE", "CURRENT_DATE", "CURRENT_ROLE", "CURRENT_TIME", "CURRENT_TIMESTAMP", "CURRENT_USER", "DEFERRABLE", "DO", "END", "EXCEPT", "FALSE", "FETCH", "INITIALLY", "INTERSECT", "LATERAL", "LEADING", "LOCALTIME", "LOCALTIMESTAMP", "OFFSET", "ONLY", "PLACING", "RETURNING", "SESSION_USER", "SOME", "SYMMETRIC", "TRAILING", "TRUE", "USER", "VARIADIC", "WINDOW"]),
};

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
  statementRule({
    id: "naming.auto-increment-column",
    category: "naming",
    engines: MYSQL,
    description: "AUTO_INCREMENT column name does not match the `namingAutoIncrement` pattern (default `id`).",
    advice: "Name the auto-increment column as the pattern says.",
    defaults: { test: "warning", prod: "warning" },
    check: ({ node, options }) =>
      definedColumns(node)
        .filter(({ name, node: column }) => isAutoIncrement(column) && !compiled(options.namingAutoIncrement).test(name))
        .map(({ name }) => ({ message: `AUTO_INCREMENT column ${name} does not match ${options.namingAutoIncrement}.` })),
  }),
  statementRule({
    id: "naming.primary-key",
    category: "naming",
    engines: POSTGRES,
    description: "Named primary-key constraint does not match the `namingPrimaryKey` pattern.",
    advice: "Rename the constraint to match the pattern, or leave the name out and let PostgreSQL name it.",
    defaults: { test: "off", prod: "warning" },
    check: ({ node, options }) =>
      primaryKeyNames(node)
        .filter((name) => !compiled(options.namingPrimaryKey).test(name))
        .map((name) => ({ message: `Primary key name ${name} does not match ${options.namingPrimaryKey}.` })),
  }),
  statementRule({
    id: "naming.identifier.reserved",
    category: "naming",
    engines: BOTH,
    description: "Table or column named with a reserved word (order, group, user...): every query must quote it.",
    advice: "Pick a name that is not a reserved word, e.g. orders instead of order.",
    defaults: { test: "warning", prod: "error" },
    check: ({ node, engine }) =>
      [...newTableNames(node), ...newColumnNames(node)]
        .filter((name) => RESERVED_WORDS[engine].has(name.toUpperCase()))
        .map((name) => ({ message: `${name} is a reserved word.` })),
  }),
  statementRule({
    id: "naming.table.drop-convention",
    category: "naming",
    engines: BOTH,
    description: "DROP TABLE of a table not first renamed to match `namingDroppedTable` (e.g. orders_del), for teams that drop in two steps.",
    advice: "Rename the table (e.g. to orders_del), wait until nothing breaks, then drop it.",
    defaults: { test: "off", prod: "off" },
    check: ({ node, options }) =>
      node.type === "drop" && node.keyword === "table"
        ? asArray(node.name as AstNode[])
            .map((table) => unqualified(String(table.table ?? "")))
            .filter((name) => !compiled(options.namingDroppedTable).test(name))
            .map((name) => ({ message: `Table ${name} is dropped without the ${options.namingDroppedTable} name.` }))
        : [],
  }),
];
