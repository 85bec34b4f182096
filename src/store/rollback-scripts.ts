// Rollback scripts in the store: kept in pieces cut between statements (RollbackChunk), written and read a piece
// at a time, cut into a rollback change's statements, and joined into its SQL inside the store.
import type { NewStatement } from "./changes.ts";
import type { Queryable, RowReader } from "./plain-sql.ts";

/** Pieces read per query (about 1 MB). */
const CHUNKS_PER_READ = 4;

const ROLLBACK_CHUNKS = `
  SELECT "seq", "sql" FROM "RollbackChunk" WHERE "executionId" = $1::integer AND "forced" = $2::boolean AND "seq" >= $3::integer
  ORDER BY "seq" LIMIT ${CHUNKS_PER_READ}`;

/** The pieces of an execution's rollback script in order, read a few at a time. */
export async function* rollbackChunks(read: RowReader, executionId: number, forced: boolean): AsyncGenerator<string> {
  let next = 0;
  for (;;) {
    const rows = await read(ROLLBACK_CHUNKS, [executionId, forced, next]);
    for (const row of rows) yield String(row.sql);
    if (rows.length < CHUNKS_PER_READ) return;
    next = Number(rows.at(-1)!.seq) + 1;
  }
}

/** Statements of a script given in pieces cut between statements, with their lines counted in the whole script. */
export async function* statementsOfScript(chunks: AsyncIterable<string>, split: (text: string) => NewStatement[]): AsyncGenerator<NewStatement[]> {
  let linesBefore = 0;
  for await (const chunk of chunks) {
    const statements = split(chunk).map((statement) => ({ ...statement, line: statement.line + linesBefore }));
    for (let i = chunk.indexOf("\n"); i >= 0; i = chunk.indexOf("\n", i + 1)) linesBefore += 1;
    if (statements.length > 0) yield statements;
  }
}

/**
 * Where a change's SQL is kept in pieces: for a rollback change, the source's execution whose script it is (the
 * forced pieces once forced), and the length in bytes either way.
 */
export const SQL_SOURCE = `
  SELECT e."id" AS "executionId", r."forced", octet_length(c."sql")::integer AS "bytes"
  FROM "Change" c
  LEFT JOIN "Rollback" r ON r."rollbackChangeId" = c."id"
  LEFT JOIN LATERAL (
    SELECT "id" FROM "Execution" WHERE "changeId" = r."sourceChangeId" AND "status" = 'done' ORDER BY "attempt" DESC LIMIT 1
  ) AS e ON true
  WHERE c."id" = $1`;

/**
 * A rollback change's SQL ($1): the script execution $2 prepared, joined in the store; the forced one with $3, when
 * an approver overrides rows changed since.
 */
export const SQL_FROM_ROLLBACK_SCRIPT = `
  UPDATE "Change" SET "sql" = coalesce((SELECT string_agg("sql", '' ORDER BY "seq") FROM "RollbackChunk" WHERE "executionId" = $2 AND "forced" = $3::boolean), '')
  WHERE "id" = $1`;

const INSERT_ROLLBACK_CHUNKS = `
  INSERT INTO "RollbackChunk" ("executionId", "forced", "seq", "sql")
  SELECT $1::integer, $2::boolean, c.seq, c.sql FROM unnest($3::integer[], $4::text[]) AS c(seq, sql)`;

/** Pieces of a rollback script written per statement (about 2 MB). */
const CHUNKS_PER_WRITE = 8;

/** Writes the pieces of a script in order, CHUNKS_PER_WRITE per INSERT. */
export async function writeRollbackChunks(client: Queryable, executionId: number, forced: boolean, chunks: readonly string[]): Promise<void> {
  for (let first = 0; first < chunks.length; first += CHUNKS_PER_WRITE) {
    const part = chunks.slice(first, first + CHUNKS_PER_WRITE);
    await client.query(INSERT_ROLLBACK_CHUNKS, [executionId, forced, part.map((_, i) => first + i), part]);
  }
}
