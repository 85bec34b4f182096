// What the store writes in plain SQL rather than through Prisma (hot paths, and values of tens of MB that Prisma's
// query compiler would copy several times): the time as Prisma writes it, transactions on a pooled connection, and
// the one query interface both those connections and Prisma's interactive transactions offer.
import type pg from "pg";
import type { Prisma } from "./generated/client.ts";

/** Times are written in UTC, as Prisma writes them. */
export const NOW = `(now() AT TIME ZONE 'UTC')`;

/** Something that runs a query: a pooled client in a transaction, or Prisma's transaction (prismaQueries). */
export interface Queryable {
  query(text: string, values: unknown[]): Promise<unknown>;
}

/** A Prisma transaction as a Queryable, for writes that a decision makes alongside its status move. */
export function prismaQueries(tx: Prisma.TransactionClient): Queryable {
  return { query: (text, values) => tx.$executeRawUnsafe(text, ...values) };
}

/** Reads rows with a query: a pool, a pooled client, or Prisma's transaction (its raw query). */
export type RowReader = (text: string, values: unknown[]) => Promise<Array<Record<string, unknown>>>;

export function rowsOf(client: Pick<pg.Pool, "query"> | Pick<pg.PoolClient, "query">): RowReader {
  return async (text, values) => (await (client as pg.Pool).query(text, values)).rows;
}

export function prismaRows(tx: Prisma.TransactionClient): RowReader {
  return (text, values) => tx.$queryRawUnsafe(text, ...values);
}

/** Runs `work` in a transaction on one pooled connection: committed when it returns, rolled back when it throws. */
export async function inTransaction<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query("BEGIN");
    const value = await work(client);
    await client.query("COMMIT");
    return value;
  } catch (error) {
    await client.query("ROLLBACK").catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}
