// The history store: opens Postgres (or the embedded store), brings its schema up to date and hands out Prisma.
import { setFlagsFromString } from "node:v8";
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import type { Logger } from "../logger.ts";
import type { EmbeddedStore } from "./embedded.ts";
import { StoreError, describeStoreUrl, storeUnreachable } from "./errors.ts";
import { PrismaClient } from "./generated/client.ts";
import { applyMigrations } from "./migrator.ts";

export { StoreError, MigrationError } from "./errors.ts";
export { advisoryLockKey, tryAdvisoryLock, withAdvisoryLock } from "./advisory-lock.ts";

export interface StoreOptions {
  /** A postgres:// URL; unset means the embedded store in `dataDir`. */
  databaseUrl?: string;
  dataDir: string;
  migrationsDir: string;
  logger: Logger;
  /** How long an idle pooled connection is kept before it is closed (pg's default, 10 s, when unset). */
  idleTimeoutMs?: number;
}

export interface Store {
  prisma: PrismaClient;
  pool: pg.Pool;
  embedded: boolean;
  /** True when the store answers `SELECT 1` within a short time (for /healthz). */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

const CONNECT_TIMEOUT_MS = 5_000;
const PING_TIMEOUT_MS = 2_000;
/** The embedded store is one Postgres session: a second pooled connection would share, and break, transactions. */
const EMBEDDED_POOL_SIZE = 1;
const SERVER_POOL_SIZE = 10;
/**
 * What a fresh server session would not have, cleared when the pool opens a connection to the embedded store: PGlite
 * is one session under every connection, so the prepared statements (change-detail.ts, execution-log.ts name theirs),
 * cursors, settings, listens and temporary tables of a connection the pool dropped after its idle timeout are still
 * there, and pg, knowing the connection is new, would prepare the same names again ("already exists"). Advisory locks
 * are left alone: the lock connections of advisory-lock.ts hold theirs in the same session at the same time, and
 * exclusion inside the one process that may open the embedded store is kept there.
 */
const FRESH_EMBEDDED_SESSION = "CLOSE ALL; DEALLOCATE ALL; RESET ALL; UNLISTEN *; DISCARD TEMP";

export async function openStore(options: StoreOptions): Promise<Store> {
  const { logger } = options;
  // PGlite is loaded only when it is used: it costs ~35 MB of memory that a server-backed store never needs.
  const embedded = options.databaseUrl ? undefined : await (await import("./embedded.ts")).startEmbeddedStore(options.dataDir);
  const databaseUrl = options.databaseUrl ?? embedded!.url;
  const pool = new pg.Pool({
    connectionString: databaseUrl,
    max: embedded ? EMBEDDED_POOL_SIZE : SERVER_POOL_SIZE,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    ...(options.idleTimeoutMs === undefined ? {} : { idleTimeoutMillis: options.idleTimeoutMs }),
    ...(embedded ? { onConnect: (client: pg.ClientBase) => client.query(FRESH_EMBEDDED_SESSION).then(() => undefined) } : {}),
  });
  // An idle connection dropped by the server (restart, failover) must not crash the process: the pool replaces it.
  pool.on("error", (error) => logger.warn({ err: error, store: describeStoreUrl(databaseUrl) }, "history store connection lost"));

  try {
    await pool.query("SELECT 1").catch((error: unknown) => {
      throw storeUnreachable(databaseUrl, error);
    });
    const applied = await applyMigrations(pool, options.migrationsDir, logger).catch((error: unknown) => {
      throw error instanceof StoreError ? error : storeUnreachable(databaseUrl, error);
    });
    logger.info({ store: describeStoreUrl(databaseUrl), embedded: Boolean(embedded), applied }, "history store ready");
  } catch (error) {
    await pool.end().catch(() => {});
    await embedded?.close().catch(() => {});
    throw error;
  }

  // Prisma's query compiler is WebAssembly. V8's optimizing tier would add ~45 MB of machine code for it; its
  // baseline tier is enough because Prisma caches each query's plan. Not with the embedded store: PGlite is
  // WebAssembly too, and runs every query through it.
  if (!embedded) setFlagsFromString("--liftoff-only");
  const prisma = new PrismaClient({ adapter: new PrismaPg(pool) });
  return {
    prisma,
    pool,
    embedded: Boolean(embedded),
    ping: () => ping(pool),
    close: closeOnce(prisma, pool, embedded),
  };
}

async function ping(pool: pg.Pool): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), PING_TIMEOUT_MS);
  });
  const answer = pool.query("SELECT 1").then(
    () => true,
    () => false,
  );
  try {
    return await Promise.race([answer, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function closeOnce(prisma: PrismaClient, pool: pg.Pool, embedded: EmbeddedStore | undefined): () => Promise<void> {
  let closing: Promise<void> | undefined;
  return () => {
    closing ??= (async () => {
      await prisma.$disconnect();
      if (!pool.ended) await pool.end();
      await embedded?.close();
    })();
    return closing;
  };
}
