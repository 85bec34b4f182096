// Opens a session on a registered database for reading its schema.
import type { Config } from "../config/load.ts";
import { engineFor, type EngineSession } from "../engines/index.ts";
import type { RegisteredDatabase, Registry } from "../projects/registry.ts";

/** How the drift capability reaches a live database; tests and the benchmark may wrap it. */
export type ConnectLive = (database: RegisteredDatabase) => Promise<EngineSession>;

/** Fingerprints of several databases read together, by database id; a database that could not be read is absent. */
export type ReadFingerprints = (databases: readonly RegisteredDatabase[]) => Promise<Map<number, string>>;

function limitsOf(config: Config) {
  return {
    statementTimeoutMs: config.file.execution.statementTimeoutSeconds * 1000,
    lockTimeoutMs: config.file.execution.lockTimeoutSeconds * 1000,
  };
}

export function connectLive(config: Config, registry: Registry): ConnectLive {
  const limits = limitsOf(config);
  return (database) => engineFor(database.instance.engine).connect(registry.target(database.instance, database.name), limits);
}

/**
 * The cheap first step of a check, for many databases at once: each instance's databases are fingerprinted over
 * `connections` connections instead of one connection per database.
 */
export function fingerprintsLive(config: Config, registry: Registry, connections = 4): ReadFingerprints {
  const limits = limitsOf(config);
  return async (databases) => {
    const found = new Map<number, string>();
    const byInstance = new Map<string, RegisteredDatabase[]>();
    for (const database of databases) byInstance.set(database.instance.name, [...(byInstance.get(database.instance.name) ?? []), database]);
    for (const group of byInstance.values()) {
      const instance = group[0]!.instance;
      const size = Math.ceil(group.length / connections);
      const chunks = Array.from({ length: Math.ceil(group.length / size) }, (_, i) => group.slice(i * size, (i + 1) * size));
      await Promise.all(
        chunks.map(async (chunk) => {
          try {
            const fingerprints = await engineFor(instance.engine).schemaFingerprints(registry.target(instance), chunk.map((d) => d.name), limits);
            for (const database of chunk) {
              const fingerprint = fingerprints.get(database.name);
              if (fingerprint !== undefined) found.set(database.id, fingerprint);
            }
          } catch {
            // Each of these databases is then checked on its own connection, which reports why it cannot be read.
          }
        }),
      );
    }
    return found;
  };
}

/** Runs `read` on a fresh session and always closes it. */
export async function withLiveSession<T>(connect: ConnectLive, database: RegisteredDatabase, read: (session: EngineSession) => Promise<T>): Promise<T> {
  const session = await connect(database);
  try {
    return await read(session);
  } finally {
    await session.close();
  }
}
