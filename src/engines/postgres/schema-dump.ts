// The PostgreSQL schema snapshot: every non-system schema of the current database, rendered and ordered by the server.
import type pg from "pg";
import { statementFailed } from "../errors.ts";
import { SCHEMA_DUMP, SCHEMA_FINGERPRINT, withCatalogSearchPath } from "./catalog.ts";
import type { PostgresLink } from "./connect.ts";

export async function dumpSchema(link: PostgresLink): Promise<string> {
  const dump = await catalogValue(link, SCHEMA_DUMP, "dump");
  return dump === "" ? "" : dump + "\n";
}

/** The md5 of the snapshot text, computed by the server so that only 32 characters travel. */
export function schemaFingerprint(link: PostgresLink): Promise<string> {
  return catalogValue(link, SCHEMA_FINGERPRINT, "fingerprint");
}

async function catalogValue(link: PostgresLink, sql: string, column: string): Promise<string> {
  try {
    const results = (await link.client.query(withCatalogSearchPath(sql))) as unknown as pg.QueryResult[];
    return String(results[1]!.rows[0]![column] ?? "");
  } catch (error) {
    throw statementFailed(error, false);
  }
}
