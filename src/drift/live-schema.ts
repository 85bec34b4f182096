// Opens a session on a registered database for reading its schema.
import type { Config } from "../config/load.ts";
import { engineFor, type EngineSession } from "../engines/index.ts";
import type { RegisteredDatabase, Registry } from "../projects/registry.ts";

/** How the drift capability reaches a live database; tests and the benchmark may wrap it. */
export type ConnectLive = (database: RegisteredDatabase) => Promise<EngineSession>;

export function connectLive(config: Config, registry: Registry): ConnectLive {
  const limits = {
    statementTimeoutMs: config.file.execution.statementTimeoutSeconds * 1000,
    lockTimeoutMs: config.file.execution.lockTimeoutSeconds * 1000,
  };
  return (database) => engineFor(database.instance.engine).connect(registry.target(database.instance, database.name), limits);
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
