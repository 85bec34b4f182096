// The PostgreSQL schema snapshot: every non-system schema of the current database, rendered and ordered by the server.
import type pg from "pg";
import { statementFailed } from "../errors.ts";
import { SCHEMA_DUMP, SCHEMA_FINGERPRINT, SCHEMA_SNAPSHOT, withCatalogSearchPath } from "./catalog.ts";
import type { PostgresLink } from "./connect.ts";

export async function dumpSchema(link: PostgresLink): Promise<string> {
  return asSnapshotText(String((await catalogRow(link, SCHEMA_DUMP)).dump ?? ""));
}

/** The md5 of the snapshot text, computed by the server so that only 32 characters travel. */
export async function schemaFingerprint(link: PostgresLink): Promise<string> {
  return String((await catalogRow(link, SCHEMA_FINGERPRINT)).fingerprint ?? "");
}

/** The dump and its fingerprint, the server assembling the text once for both. */
export async function schemaSnapshot(link: PostgresLink): Promise<{ schema: string; fingerprint: string }> {
  const row = await catalogRow(link, SCHEMA_SNAPSHOT);
  return { schema: asSnapshotText(String(row.dump ?? "")), fingerprint: String(row.fingerprint ?? "") };
}

function asSnapshotText(dump: string): string {
  return dump === "" ? "" : dump + "\n";
}

async function catalogRow(link: PostgresLink, sql: string): Promise<Record<string, unknown>> {
  try {
    const results = (await link.client.query(withCatalogSearchPath(sql))) as unknown as pg.QueryResult[];
    return results[1]!.rows[0] as Record<string, unknown>;
  } catch (error) {
    throw statementFailed(error, false);
  }
}
