// Whether each configured instance answers, for /healthz. Why one does not (its address, account and the server's
// message) goes to the log for the operator, never into the answer.
import type { Config } from "../config/load.ts";
import { engineFor } from "../engines/index.ts";
import { redactSecrets, type Logger } from "../logger.ts";
import type { Registry } from "../projects/registry.ts";

/** A probe gives up sooner than a change's connection would: a supervisor is waiting for the answer. */
const PROBE_CONNECT_TIMEOUT_MS = 3000;

export async function probeInstances(config: Config, registry: Registry, logger: Logger): Promise<Record<string, boolean>> {
  const entries = await Promise.all(
    config.file.instances.map(async (instance): Promise<[string, boolean]> => {
      const target = { ...registry.target(instance), connectTimeoutMs: PROBE_CONNECT_TIMEOUT_MS };
      try {
        await engineFor(instance.engine).listDatabases(target);
        return [instance.name, true];
      } catch (error) {
        const reason = redactSecrets(error instanceof Error ? error.message : String(error));
        logger.warn({ instance: instance.name, host: target.host, port: target.port, user: target.user, reason }, "health probe: the instance does not answer");
        return [instance.name, false];
      }
    }),
  );
  return Object.fromEntries(entries);
}
