// The drift domain without Slack: a fresh history store, the configured registry and a DriftMonitor whose
// events are collected for the test to read.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig, type Config } from "../../../src/config/load.ts";
import { connectLive, fingerprintsLive, DriftMonitor, type DriftEvent } from "../../../src/drift/index.ts";
import { createLogger } from "../../../src/logger.ts";
import { Registry } from "../../../src/projects/registry.ts";
import { openStore, type Store } from "../../../src/store/index.ts";
import { migrationsDir } from "../../../src/sluice.ts";
import { createPostgresDatabase, dropPostgresDatabase } from "../../support/servers.ts";
import { storeUrl } from "../../support/sluice.ts";
import { driftEnv } from "./target.ts";

export interface DriftWorld {
  config: Config;
  store: Store;
  registry: Registry;
  monitor: DriftMonitor;
  /** Every event the monitor delivered, in order. */
  events: DriftEvent[];
  notify: (events: DriftEvent[]) => Promise<void>;
  close(): Promise<void>;
}

export async function openDriftWorld(yaml: string): Promise<DriftWorld> {
  const storeDatabase = await createPostgresDatabase("drift_store");
  const dir = mkdtempSync(join(tmpdir(), "sluice-drift-"));
  writeFileSync(join(dir, "sluice.yml"), yaml);
  const config = loadConfig({ SLUICE_CONFIG: join(dir, "sluice.yml"), DATABASE_URL: storeUrl(storeDatabase), SLUICE_DATA_DIR: join(dir, "data"), ...driftEnv() });
  const logger = createLogger("silent");
  const store = await openStore({ databaseUrl: config.settings.databaseUrl, dataDir: config.settings.dataDir, migrationsDir, logger });
  const registry = await Registry.sync(store.prisma, config);
  const monitor = new DriftMonitor({ store, databases: registry.databases, connect: connectLive(config, registry), fingerprints: fingerprintsLive(config, registry), logger });
  const events: DriftEvent[] = [];
  return {
    config,
    store,
    registry,
    monitor,
    events,
    notify: async (delivered) => {
      events.push(...delivered);
    },
    close: async () => {
      await monitor.stop();
      await store.close();
      await dropPostgresDatabase(storeDatabase);
    },
  };
}
