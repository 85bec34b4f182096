// Whether a PostgreSQL statement sent to database X can reach anything outside X. A PostgreSQL session is bound to
// its database: a name with another database in it is refused by the server ("cross-database references are not
// implemented"), and there is no USE. What remains is what the whole cluster shares (roles, tablespaces, settings,
// other databases as objects) and what connects elsewhere (dblink, foreign servers, subscriptions, COPY … PROGRAM):
// those are refused here, read from PostgreSQL's own parser.
import { loadModule, parseSync } from "libpg-query";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type PgNode = Record<string, any>;

const ROLES = "changes the cluster's roles, which every database on the server shares";
const FOREIGN = "reaches another database through a foreign server";

/** Statements about the cluster rather than a database, or that connect to another database. */
const CLUSTER_STATEMENTS: Record<string, string> = {
  CreatedbStmt: "creates another database; use /db newdb",
  CreateRoleStmt: ROLES,
  AlterRoleStmt: ROLES,
  AlterRoleSetStmt: ROLES,
  DropRoleStmt: ROLES,
  GrantRoleStmt: ROLES,
  AlterSystemStmt: "changes the settings of the whole server",
  CreateTableSpaceStmt: "acts on a tablespace, which every database on the server shares",
  DropTableSpaceStmt: "acts on a tablespace, which every database on the server shares",
  AlterTableSpaceOptionsStmt: "acts on a tablespace, which every database on the server shares",
  CreateSubscriptionStmt: "connects to another database",
  AlterSubscriptionStmt: "connects to another database",
  CreateForeignServerStmt: FOREIGN,
  AlterForeignServerStmt: FOREIGN,
  CreateUserMappingStmt: FOREIGN,
  AlterUserMappingStmt: FOREIGN,
  ImportForeignSchemaStmt: FOREIGN,
  CreateFdwStmt: FOREIGN,
  AlterFdwStmt: FOREIGN,
  CreateForeignTableStmt: FOREIGN,
  LoadStmt: "loads a library into the server",
  CheckPointStmt: "acts on the whole server",
};
/** Statements that name a database: they may name only this one. */
const DATABASE_STATEMENTS = new Set(["DropdbStmt", "AlterDatabaseStmt", "AlterDatabaseSetStmt", "AlterDatabaseRefreshCollStmt"]);
/** Extensions whose purpose is to reach another database or the server's files. */
const REACHING_EXTENSION = /^(dblink|.*_fdw)$/i;

let loaded: Promise<void> | undefined;

/** Why `sql`, run in `database`, can reach outside it; undefined when it cannot. */
export async function postgresOutsideDatabase(sql: string, database: string): Promise<string | undefined> {
  await (loaded ??= loadModule());
  let statements: PgNode[];
  try {
    statements = (parseSync(sql).stmts ?? []).map((raw) => raw.stmt as PgNode);
  } catch {
    // PostgreSQL's own grammar: what it cannot parse, the server refuses too, before running anything.
    return undefined;
  }
  for (const statement of statements) {
    const reason = statementProblem(statement, database);
    if (reason) return reason;
  }
  return undefined;
}

function statementProblem(statement: PgNode, database: string): string | undefined {
  const [kind, fields] = Object.entries(statement)[0] ?? [];
  if (!kind) return undefined;
  const why = CLUSTER_STATEMENTS[kind];
  if (why) return `\`${words(kind)}\` ${why}`;
  if (DATABASE_STATEMENTS.has(kind) && fields?.dbname !== database) return `\`${words(kind)}\` names database \`${fields?.dbname}\`, not ${database}`;
  if (kind === "CopyStmt" && fields?.is_program) return "`COPY … PROGRAM` runs a program on the server";
  if (kind === "CopyStmt" && fields?.filename) return "`COPY` to or from a file reads or writes the server's files";
  if (kind === "CreateExtensionStmt" && REACHING_EXTENSION.test(String(fields?.extname))) return `extension \`${fields.extname}\` ${FOREIGN}`;
  return nodeProblem(fields, database);
}

/** Names with another database in them, and dblink calls, anywhere in the statement. */
function nodeProblem(node: unknown, database: string): string | undefined {
  if (Array.isArray(node)) {
    for (const item of node) {
      const reason = nodeProblem(item, database);
      if (reason) return reason;
    }
    return undefined;
  }
  if (!node || typeof node !== "object") return undefined;
  const object = node as PgNode;
  // A RangeVar (a table's name), wrapped or not.
  if (typeof object.catalogname === "string" && object.catalogname !== database) {
    return `\`${object.catalogname}.${object.schemaname}.${object.relname}\` names database \`${object.catalogname}\``;
  }
  if (object.FuncCall) {
    const name = (object.FuncCall.funcname as PgNode[] | undefined)?.map((part) => part.String?.sval).at(-1);
    if (typeof name === "string" && /^dblink/i.test(name)) return `\`${name}\` ${FOREIGN}`;
  }
  for (const value of Object.values(object)) {
    const reason = nodeProblem(value, database);
    if (reason) return reason;
  }
  return undefined;
}

/** `AlterRoleStmt` → `ALTER ROLE`: the statement's kind as a person reads it. */
function words(kind: string): string {
  return kind
    .replace(/Stmt$/, "")
    .replace(/([a-z])([A-Z])/g, "$1 $2")
    .toUpperCase()
    .replace(/^CREATEDB$/, "CREATE DATABASE")
    .replace(/^DROPDB$/, "DROP DATABASE");
}
