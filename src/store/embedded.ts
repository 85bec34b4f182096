// The embedded history store: PGlite persisted in Sluice's data directory, served over the Postgres wire
// protocol on 127.0.0.1 so that pg and Prisma reach it exactly as they reach a real server.
import { closeSync, mkdirSync, openSync, readFileSync, statSync, unlinkSync, writeSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { PGLiteSocketServer } from "@electric-sql/pglite-socket";
import { StoreError } from "./errors.ts";

export interface EmbeddedStore {
  /** A postgres:// URL for pg and Prisma. */
  url: string;
  close(): Promise<void>;
}

/**
 * PGlite is one Postgres session underneath: every connection shares it. Sluice uses a pool of one, plus at most
 * a connection for an advisory lock (see advisory-lock.ts); the headroom lets a dropped connection be replaced
 * before the server has noticed the old one is gone.
 */
const MAX_CONNECTIONS = 4;

/** Data directories opened by this process: a lock file naming our own pid is only stale if it is not in here. */
const openedHere = new Set<string>();

/** Opens (creating it if needed) the store in `<dataDir>/pglite` and serves it on an ephemeral local port. */
export async function startEmbeddedStore(dataDir: string): Promise<EmbeddedStore> {
  mkdirSync(dataDir, { recursive: true });
  const releaseLock = lockDataDir(dataDir);
  let db: PGlite | undefined;
  try {
    db = await PGlite.create(join(dataDir, "pglite"));
    const server = new PGLiteSocketServer({ db, host: "127.0.0.1", port: 0, maxConnections: MAX_CONNECTIONS });
    await server.start();
    const url = `postgres://postgres@${server.getServerConn()}/postgres`;
    const opened = db;
    let closing: Promise<void> | undefined;
    return {
      url,
      close: () => {
        closing ??= (async () => {
          try {
            await server.stop();
            await opened.close();
          } finally {
            releaseLock();
          }
        })();
        return closing;
      },
    };
  } catch (error) {
    await db?.close().catch(() => {});
    releaseLock();
    throw new StoreError(`cannot start the embedded history store in ${dataDir}: ${(error as Error).message}`, { cause: error });
  }
}

/**
 * PGlite does not guard its directory the way a postmaster does, and two processes writing one data directory
 * would corrupt it, so Sluice keeps a lock file naming the owner's pid. A file left by a process that is gone
 * (a crash, a killed container) is taken over.
 */
function lockDataDir(dataDir: string): () => void {
  const lockPath = join(dataDir, "pglite.lock");
  for (let attempt = 0; attempt < 2; attempt += 1) {
    try {
      const fd = openSync(lockPath, "wx");
      writeSync(fd, JSON.stringify({ pid: process.pid, host: hostname(), since: new Date().toISOString() }));
      closeSync(fd);
      openedHere.add(lockPath);
      return () => {
        openedHere.delete(lockPath);
        try {
          unlinkSync(lockPath);
        } catch {
          // already gone
        }
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") {
        throw new StoreError(`cannot lock the embedded history store in ${dataDir}: ${(error as Error).message}`, { cause: error });
      }
      const owner = readOwner(lockPath);
      if (owner === undefined && isFresh(lockPath)) break;
      if (owner !== undefined && ownerIsAlive(owner, lockPath)) {
        throw new StoreError(
          `the embedded history store in ${dataDir} is in use by another Sluice process (pid ${owner}` +
            `${owner === process.pid ? ", this one" : ""}). Stop it, or give this one another data directory or a DATABASE_URL; ` +
            `if no Sluice is running, delete ${lockPath}.`,
        );
      }
      try {
        unlinkSync(lockPath);
      } catch {
        // another starter took it over first; the next attempt sees its lock
      }
    }
  }
  throw new StoreError(`the embedded history store in ${dataDir} is being opened by another process; try again`);
}

function readOwner(lockPath: string): number | undefined {
  try {
    const pid = Number((JSON.parse(readFileSync(lockPath, "utf8")) as { pid?: unknown }).pid);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** A lock file without a readable owner is either being written right now or garbage from long ago. */
function isFresh(lockPath: string): boolean {
  try {
    return Date.now() - statSync(lockPath).mtimeMs < 5_000;
  } catch {
    return false;
  }
}

function ownerIsAlive(pid: number, lockPath: string): boolean {
  // In a container Sluice is often pid 1 on every start: our own pid is ours only if this process opened it.
  if (pid === process.pid) return openedHere.has(lockPath);
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
