// `/db query` calls a PostgreSQL function only if the catalog says it cannot change anything and, unless it is built
// in, cannot read a table behind masking's back. Decided by what the function is (pg_proc), not by its name.
import type { FunctionCall } from "../query-shape.ts";
import { CALLED_FUNCTIONS } from "./catalog.ts";
import type { PostgresLink } from "./connect.ts";
import { statementFailed } from "../errors.ts";

/**
 * VOLATILE built-ins that change nothing: they only read a clock or a random source. Reviewed one by one; a new entry
 * needs the same review.
 */
export const VOLATILE_BUT_READ_ONLY = new Set(["random", "random_normal", "clock_timestamp", "timeofday", "gen_random_uuid"]);

/** Languages whose functions cannot run SQL (so cannot read a sensitive column where masking does not see). */
const LANGUAGES_WITHOUT_SQL = new Set(["internal", "c"]);

interface CalledFunction {
  kind: "function" | "operator";
  name: string;
  schema: string;
  volatility: string;
  language: string;
}

/**
 * Inside the read-only transaction: sets its statement timeout (as `SET LOCAL statement_timeout` would) and reads the
 * catalog for the calls in the same statement, so checking costs no round trip of its own. Returns why the query may
 * not run, or undefined when every function and operator it calls is allowed.
 */
export async function setTimeoutAndCheckCalls(link: PostgresLink, timeoutMs: number, calls: { functions: FunctionCall[]; operators: string[] } | undefined): Promise<string | undefined> {
  const timeout = String(Math.max(1, Math.round(timeoutMs)));
  if (!calls || (calls.functions.length === 0 && calls.operators.length === 0)) {
    await query(link, "SELECT pg_catalog.set_config('statement_timeout', $1, true)", [timeout]);
    return undefined;
  }
  // The extended protocol (parameters) keeps this to the one statement written here.
  const rows = await query<CalledFunction | { kind: null }>(
    link,
    `SELECT pg_catalog.set_config('statement_timeout', $4, true) AS timeout, called.* FROM (VALUES (1)) AS one LEFT JOIN (${CALLED_FUNCTIONS}) AS called ON true`,
    [calls.functions.map((call) => call.name), calls.functions.flatMap((call) => (call.schema ? [call.schema] : [])), calls.operators, timeout],
  );
  return refusal(rows.filter((row): row is CalledFunction => row.kind !== null), calls);
}

async function query<Row extends object>(link: PostgresLink, text: string, values: unknown[]): Promise<Row[]> {
  try {
    return (await link.client.query<Row>(text, values)).rows;
  } catch (error) {
    throw statementFailed(error, false);
  }
}

function refusal(rows: CalledFunction[], calls: { functions: FunctionCall[] }): string | undefined {
  for (const row of rows) {
    if (row.kind === "function") {
      const called = calls.functions.some((call) => call.name === row.name && (call.schema === undefined || call.schema === row.schema));
      if (!called) continue;
    }
    const what = row.kind === "function" ? `the function \`${row.schema}.${row.name}()\`` : `the operator \`${row.name}\` (${row.schema})`;
    const builtIn = row.schema === "pg_catalog";
    if (row.volatility === "v" && !(builtIn && row.kind === "function" && VOLATILE_BUT_READ_ONLY.has(row.name))) {
      return `${what} is VOLATILE: PostgreSQL allows it to change the database, and some such functions do even in a read-only transaction. /db query runs only functions marked STABLE or IMMUTABLE (and ${[...VOLATILE_BUT_READ_ONLY].join("(), ")}()). Approvers can use /db admin.`;
    }
    if (!builtIn && !LANGUAGES_WITHOUT_SQL.has(row.language)) {
      return `${what} is written in ${row.language}, so it can read a sensitive column where masking cannot see. /db query runs built-in functions and C functions only. Approvers can use /db admin.`;
    }
  }
  return undefined;
}
