// One demo instance of the sandbox: a loopback Postgres endpoint where every database is its own PGlite.
// PGlite serves exactly one database whatever name a client asks for, so this router reads the client's startup
// packet, takes its `database`, and hands the connection (with the bytes already read) to that database's PGlite.
// The instance's `postgres` database is the catalog of record: a database exists when its pg_database lists it,
// so `CREATE DATABASE x` run there (what Sluice does for server-level work) makes `x` exist for the router too.
// PGlites nobody is connected to are closed after a while: each holds well over a hundred MB.
import { cpSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { connect, createServer, type Server, type Socket } from "node:net";
import { dirname, join } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { CANCEL_REQUEST_CODE, SSL_REQUEST_CODE } from "@electric-sql/pglite-socket";
import pg from "pg";
import { SluiceError } from "../errors.ts";
import { startEmbeddedStore, type EmbeddedStore } from "../store/embedded.ts";

/** The database that holds the instance's catalog; server-level work (CREATE DATABASE, listing) connects here. */
export const CATALOG_DATABASE = "postgres";

const PROTOCOL_3 = 196608;
const GSSENC_REQUEST_CODE = 80877104;
/** PostgreSQL's own limit on a startup packet. */
const MAX_STARTUP_BYTES = 10_000;
/** How long an unused database's PGlite stays open; reopening one takes about 0.3 s. */
const DEFAULT_IDLE_MS = 60_000;

const DATABASE_OID_SQL = "SELECT oid::text AS oid FROM pg_database WHERE datname = $1";

/** Why a connection was refused, with the SQLSTATE the client sees (3D000: no such database). */
export class DemoInstanceError extends SluiceError {
  constructor(
    message: string,
    readonly sqlState: string,
  ) {
    super(message);
  }
}

export interface DemoInstanceOptions {
  /** Close a database's PGlite (tens to hundreds of MB) this long after its last connection ends. */
  idleMs?: number;
  /** A fresh PGlite data directory that new databases start as a copy of (default `<dir>/.template`); made once. */
  templateDir?: string;
}

export interface DemoInstance {
  host: string;
  port: number;
  /** A postgres:// URL of the instance's catalog database. */
  url: string;
  /** Databases whose PGlite is open right now (for tests and diagnostics). */
  openDatabases(): string[];
  close(): Promise<void>;
}

interface OpenDatabase {
  store: Promise<EmbeddedStore>;
  connections: number;
  idleTimer?: NodeJS.Timeout;
}

interface StartupPacket {
  database: string;
  /** The startup packet and anything the client sent after it, to replay to the database's PGlite. */
  bytes: Buffer;
}

/** Starts the instance persisted in `dir`: one PGlite per database, in `<dir>/<database>`. */
export async function startDemoInstance(dir: string, options: DemoInstanceOptions = {}): Promise<DemoInstance> {
  const idleMs = options.idleMs ?? DEFAULT_IDLE_MS;
  const templateDir = options.templateDir ?? join(dir, ".template");
  await ensureTemplate(templateDir);
  const open = new Map<string, OpenDatabase>();
  const closing = new Map<string, Promise<void>>();
  const clients = new Set<Socket>();

  /** Counts one more user of the database, opening its PGlite (after a pending close of it) when needed. */
  const use = async (name: string, oid?: string): Promise<EmbeddedStore> => {
    let entry = open.get(name);
    if (!entry) {
      const previous = closing.get(name) ?? Promise.resolve();
      entry = { store: previous.then(() => openDatabase(templateDir, join(dir, name), oid)), connections: 0 };
      open.set(name, entry);
    }
    entry.connections += 1;
    clearTimeout(entry.idleTimer);
    const opened = entry;
    try {
      return await opened.store;
    } catch (error) {
      if (open.get(name) === opened) open.delete(name);
      throw error;
    }
  };

  const release = (name: string) => {
    const entry = open.get(name);
    if (!entry) return;
    entry.connections -= 1;
    if (entry.connections > 0) return;
    entry.idleTimer = setTimeout(() => {
      if (entry.connections > 0 || open.get(name) !== entry) return;
      open.delete(name);
      const closed = entry.store
        .then((store) => store.close())
        .catch(() => {})
        .finally(() => closing.delete(name));
      closing.set(name, closed);
    }, idleMs);
    entry.idleTimer.unref();
  };

  const databaseOid = async (name: string): Promise<string | undefined> => {
    const catalog = await use(CATALOG_DATABASE);
    try {
      const client = new pg.Client({ connectionString: catalog.url });
      await client.connect();
      try {
        return (await client.query<{ oid: string }>(DATABASE_OID_SQL, [name])).rows[0]?.oid;
      } finally {
        await client.end();
      }
    } finally {
      release(CATALOG_DATABASE);
    }
  };

  const acquire = async (name: string): Promise<EmbeddedStore> => {
    if (name === CATALOG_DATABASE) return use(name);
    if (!isStorableName(name)) throw new DemoInstanceError(`the sandbox cannot keep a database named "${name}" on disk: use letters, digits and _`, "42602");
    const oid = await databaseOid(name);
    if (oid === undefined) throw new DemoInstanceError(`database "${name}" does not exist`, "3D000");
    return use(name, oid);
  };

  const closeAll = async () => {
    const entries = [...open.values()];
    open.clear();
    for (const entry of entries) clearTimeout(entry.idleTimer);
    await Promise.all([...entries.map((entry) => entry.store.then((store) => store.close(), () => {})), ...closing.values()]);
  };

  const route = async (client: Socket) => {
    clients.add(client);
    client.once("close", () => clients.delete(client));
    client.on("error", () => client.destroy());
    const startup = await readStartup(client);
    if (!startup) return;
    let store: EmbeddedStore;
    try {
      store = await acquire(startup.database);
    } catch (error) {
      client.end(errorResponse(error instanceof DemoInstanceError ? error.sqlState : "58000", (error as Error).message));
      return;
    }
    if (client.destroyed) return release(startup.database);
    const address = new URL(store.url);
    const upstream = connect(Number(address.port), address.hostname);
    let released = false;
    const finish = () => {
      if (!released) release(startup.database);
      released = true;
      client.destroy();
      upstream.destroy();
    };
    upstream.once("connect", () => {
      upstream.write(startup.bytes);
      client.pipe(upstream);
      upstream.pipe(client);
    });
    upstream.on("error", finish);
    upstream.on("close", finish);
    client.on("close", finish);
  };

  const server: Server = createServer((client) => void route(client).catch(() => client.destroy()));
  try {
    // Opening the catalog once at start fails early when the directory is in use by another Sluice.
    await use(CATALOG_DATABASE);
    release(CATALOG_DATABASE);
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(0, "127.0.0.1", resolve);
    });
  } catch (error) {
    await closeAll();
    throw error;
  }
  const { port } = server.address() as { port: number };
  const host = "127.0.0.1";

  return {
    host,
    port,
    url: `postgres://postgres@${host}:${port}/${CATALOG_DATABASE}`,
    openDatabases: () => [...open.keys()].sort(),
    close: async () => {
      const serverClosed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const client of clients) client.destroy();
      await serverClosed;
      await closeAll();
    },
  };
}

/**
 * Opens a database's PGlite in `dir` (the embedded store's `<dir>/pglite`), starting a new one as a copy of the
 * template. It remembers which catalog entry (oid) it belongs to: a database that was dropped and created again
 * starts empty, as on a real server, instead of finding the old one's tables.
 */
async function openDatabase(templateDir: string, dir: string, oid?: string): Promise<EmbeddedStore> {
  const markerPath = join(dir, "database.json");
  if (oid !== undefined && existsSync(markerPath) && (JSON.parse(readFileSync(markerPath, "utf8")) as { oid?: string }).oid !== oid) {
    rmSync(dir, { recursive: true, force: true });
  }
  const dataDir = join(dir, "pglite");
  if (!existsSync(dataDir)) cpSync(templateDir, dataDir, { recursive: true });
  const store = await startEmbeddedStore(dir);
  if (oid !== undefined) writeFileSync(markerPath, JSON.stringify({ oid }));
  return store;
}

const templates = new Map<string, Promise<void>>();

/**
 * A new PGlite runs initdb, about 3 s here; copying a fresh data directory and opening it takes about 1 s. The
 * template is built aside and renamed into place, so a crash never leaves a half-made one.
 */
function ensureTemplate(templateDir: string): Promise<void> {
  let made = templates.get(templateDir);
  if (!made) {
    made = (async () => {
      if (existsSync(templateDir)) return;
      mkdirSync(dirname(templateDir), { recursive: true });
      const building = `${templateDir}.${process.pid}.tmp`;
      rmSync(building, { recursive: true, force: true });
      const db = await PGlite.create(building);
      await db.close();
      renameSync(building, templateDir);
    })();
    made.catch(() => templates.delete(templateDir));
    templates.set(templateDir, made);
  }
  return made;
}

/** The name becomes a directory: nothing that could step outside the instance's directory. */
function isStorableName(name: string): boolean {
  return /^[A-Za-z0-9_$-]{1,63}$/.test(name);
}

/**
 * Reads the client's first messages up to its StartupMessage: an SSLRequest or GSSENCRequest is answered 'N'
 * (no encryption on loopback); a CancelRequest is dropped (PGlite cannot cancel). Resolves undefined when the
 * connection ends or is not a Postgres client.
 */
function readStartup(client: Socket): Promise<StartupPacket | undefined> {
  return new Promise((resolve) => {
    let buffer = Buffer.alloc(0);
    const stop = (result: StartupPacket | undefined) => {
      client.off("data", onData);
      client.off("close", onClose);
      client.pause();
      if (!result) client.destroy();
      resolve(result);
    };
    const onClose = () => stop(undefined);
    const onData = (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      while (buffer.length >= 8) {
        const length = buffer.readInt32BE(0);
        const code = buffer.readInt32BE(4);
        if (length === 8 && (code === SSL_REQUEST_CODE || code === GSSENC_REQUEST_CODE)) {
          client.write("N");
          buffer = buffer.subarray(8);
          continue;
        }
        if (code === CANCEL_REQUEST_CODE || code !== PROTOCOL_3 || length < 8 || length > MAX_STARTUP_BYTES) return stop(undefined);
        if (buffer.length < length) return;
        const parameters = startupParameters(buffer.subarray(8, length));
        return stop({ database: parameters.get("database") ?? parameters.get("user") ?? "", bytes: buffer });
      }
    };
    client.on("data", onData);
    client.once("close", onClose);
  });
}

/** The StartupMessage's body: NUL-terminated name/value pairs, ended by an empty name. */
function startupParameters(body: Buffer): Map<string, string> {
  const fields = body.toString("utf8").split("\0");
  const parameters = new Map<string, string>();
  for (let i = 0; i + 1 < fields.length && fields[i] !== ""; i += 2) parameters.set(fields[i]!, fields[i + 1]!);
  return parameters;
}

/** A FATAL ErrorResponse, which clients show as the connection error. */
function errorResponse(sqlState: string, message: string): Buffer {
  const body = Buffer.concat([
    ...[`SFATAL`, `VFATAL`, `C${sqlState}`, `M${message}`].map((field) => Buffer.from(`${field}\0`, "utf8")),
    Buffer.from([0]),
  ]);
  const header = Buffer.alloc(5);
  header.write("E", 0);
  header.writeInt32BE(body.length + 4, 1);
  return Buffer.concat([header, body]);
}
