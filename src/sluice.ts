// Starts Sluice: the history store, the configured catalog, the Slack app and its HTTP endpoint.
// main.ts calls this for a real run; the tests call it to get the very same process in-process.
import { fileURLToPath } from "node:url";
import type { CustomRoute } from "@slack/bolt";
import type { Config } from "./config/load.ts";
import { engineFor } from "./engines/index.ts";
import type { Reachability } from "./health/health.ts";
import { redactSecrets, type Logger } from "./logger.ts";
import { Registry } from "./projects/registry.ts";
import { createSlackApp } from "./slack/app.ts";
import type { SluiceServices } from "./slack/services.ts";
import { openStore, type Store } from "./store/index.ts";

export const migrationsDir = fileURLToPath(new URL("../prisma/migrations", import.meta.url));

export interface SlackConnection {
  botToken: string;
  signingSecret: string;
  appToken?: string;
  apiUrl?: string;
  botUserId?: string;
}

export interface StartOptions {
  config: Config;
  logger: Logger;
  slack: SlackConnection;
  port: number;
  host?: string;
  extraRoutes?: CustomRoute[];
}

export interface RunningSluice {
  port: number;
  store: Store;
  services: SluiceServices;
  stop(): Promise<void>;
}

async function probeInstances(config: Config, registry: Registry): Promise<Record<string, Reachability>> {
  const entries = await Promise.all(
    config.file.instances.map(async (instance): Promise<[string, Reachability]> => {
      const engine = engineFor(instance.engine);
      const target = { ...registry.target(instance), connectTimeoutMs: 3000 };
      try {
        await engine.listDatabases(target);
        return [instance.name, { ok: true }];
      } catch (error) {
        return [instance.name, { ok: false, error: redactSecrets((error as Error).message) }];
      }
    }),
  );
  return Object.fromEntries(entries);
}

export async function startSluice(options: StartOptions): Promise<RunningSluice> {
  const { config, logger } = options;
  const store = await openStore({
    databaseUrl: config.settings.databaseUrl,
    dataDir: config.settings.dataDir,
    migrationsDir,
    logger,
  });
  try {
    const registry = await Registry.sync(store.prisma, config);
    const services: SluiceServices = { config, logger, store, registry };
    const slack = createSlackApp(services, {
      ...options.slack,
      extraRoutes: options.extraRoutes,
      health: { store: () => store.ping(), instances: () => probeInstances(config, registry) },
    });
    const port = await slack.start(options.port, options.host);
    logger.info({ port, store: store.embedded ? "embedded" : "postgres" }, "Sluice is listening");
    return {
      port,
      store,
      services,
      stop: async () => {
        await slack.stop();
        await store.close();
      },
    };
  } catch (error) {
    await store.close();
    throw error;
  }
}
