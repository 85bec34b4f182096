// TLS options shared by both drivers: the CA is read from its file once per connection.
import { readFileSync } from "node:fs";
import type { ConnectionTarget, EngineName } from "./engine.ts";
import { EngineError } from "./errors.ts";

export interface DriverTls {
  ca?: string;
  rejectUnauthorized: boolean;
}

export function driverTls(engine: EngineName, target: ConnectionTarget): DriverTls | undefined {
  if (!target.tls) return undefined;
  const tls: DriverTls = { rejectUnauthorized: target.tls.rejectUnauthorized ?? true };
  if (target.tls.caPath) {
    try {
      tls.ca = readFileSync(target.tls.caPath, "utf8");
    } catch (error) {
      throw new EngineError(
        `cannot read the TLS CA file ${target.tls.caPath} for ${engine} at ${target.host}:${target.port}: ${(error as Error).message}`,
        { kind: "connect", cause: error },
      );
    }
  }
  return tls;
}
