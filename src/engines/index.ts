// The engine layer's front door: pick an engine by name.
import type { Engine, EngineName } from "./engine.ts";
import { mysqlEngine } from "./mysql/engine.ts";
import { postgresEngine } from "./postgres/engine.ts";

export type * from "./engine.ts";
export { EngineError, type EngineErrorKind } from "./errors.ts";

const engines: Record<EngineName, Engine> = { mysql: mysqlEngine, postgres: postgresEngine };

export function engineFor(name: EngineName): Engine {
  return engines[name];
}
