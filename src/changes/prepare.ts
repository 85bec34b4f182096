// Checks a change request before anything is stored: known database, SQL present and within limits, and
// statements that match the change type. Errors name the form field they belong to.
import type { SluiceConfigFile } from "../config/schema.ts";
import { engineFor } from "../engines/index.ts";
import type { SqlStatement } from "../engines/engine.ts";
import { SluiceError } from "../errors.ts";
import { boundaryBreach, boundaryMessage } from "../projects/database-boundary.ts";
import { UnknownDatabaseError, type RegisteredDatabase, type Registry } from "../projects/registry.ts";
import { classifyStatement } from "./classify.ts";

export type ChangeField = "database" | "type" | "sql" | "description";
export type RequestedChangeType = "schema" | "data";

export class ChangeInputError extends SluiceError {
  constructor(
    readonly field: ChangeField,
    message: string,
  ) {
    super(message);
  }
}

export interface ChangeRequest {
  database: string;
  type: RequestedChangeType;
  sql: string;
  description: string;
  requesterId: string;
  /** Identifies the Slack request, so a repeated submission creates nothing new. */
  requestKey?: string;
}

export interface PreparedChange {
  request: ChangeRequest;
  database: RegisteredDatabase;
  statements: SqlStatement[];
}

const typeNames: Record<RequestedChangeType, string> = { schema: "schema change", data: "data change" };

export function prepareChange(registry: Registry, limits: SluiceConfigFile["execution"], request: ChangeRequest): PreparedChange {
  let database: RegisteredDatabase;
  try {
    database = registry.find(request.database);
  } catch (error) {
    if (error instanceof UnknownDatabaseError) throw new ChangeInputError("database", error.message);
    throw error;
  }
  const sql = request.sql.trim();
  if (sql === "") throw new ChangeInputError("sql", "Enter the SQL to run, or attach a .sql file.");
  const bytes = Buffer.byteLength(sql, "utf8");
  if (bytes > limits.maxScriptBytes) {
    throw new ChangeInputError("sql", `The script is ${bytes.toLocaleString("en-US")} bytes; the limit is ${limits.maxScriptBytes.toLocaleString("en-US")}. Split it into several changes.`);
  }
  const statements = engineFor(database.instance.engine).splitStatements(sql);
  if (statements.length === 0) throw new ChangeInputError("sql", "The SQL holds no statement (only comments or whitespace).");
  if (statements.length > limits.maxStatements) {
    throw new ChangeInputError("sql", `The script has ${statements.length} statements; the limit is ${limits.maxStatements}. Split it into several changes.`);
  }
  const wrongKind = request.type === "schema" ? "data" : "schema";
  const misplaced = statements.find((statement) => classifyStatement(statement.text) === wrongKind);
  if (misplaced) {
    const what = wrongKind === "data" ? "changes data (DML)" : "changes the schema (DDL)";
    throw new ChangeInputError(
      "sql",
      `Line ${misplaced.line}: this statement ${what}, which a ${typeNames[request.type]} may not contain. Submit it as a ${typeNames[wrongKind]} instead.`,
    );
  }
  return { request: { ...request, sql }, database, statements };
}

/**
 * prepareChange, then the environment's boundary: every statement may reference only the change's database
 * (SECURITY.md §3). Refused here, the change is never stored, reviewed or approved, whatever the environment's policy.
 */
export async function prepareChangeWithinDatabase(registry: Registry, limits: SluiceConfigFile["execution"], request: ChangeRequest): Promise<PreparedChange> {
  const prepared = prepareChange(registry, limits, request);
  const breach = await boundaryBreach(prepared.database, prepared.statements);
  if (breach) throw new ChangeInputError("sql", `${boundaryMessage(prepared.database, breach, "A change for")} Nothing was submitted.`);
  return prepared;
}
