// Starts Sluice: the history store, the configured catalog, the Slack app and its HTTP endpoint.
// main.ts calls this for a real run; the tests call it to get the very same process in-process.
import { fileURLToPath } from "node:url";
import { applyHeapSettings } from "./heap-settings.ts";
import type { CustomRoute } from "@slack/bolt";
import type { Config } from "./config/load.ts";
import { connectLive, DriftMonitor, fingerprintsLive } from "./drift/index.ts";
import { HealthCheck } from "./health/health.ts";
import { probeInstances } from "./health/instance-probe.ts";
import type { Logger } from "./logger.ts";
import { Registry } from "./projects/registry.ts";
import { createSlackApp } from "./slack/app.ts";
import { DriftAlertSender, driftAnnouncer, startDriftAlerts } from "./slack/drift-alerts.ts";
import type { SluiceServices } from "./slack/services.ts";
import { SqlDrafts } from "./slack/sql-drafts.ts";
import { openStore, type Store } from "./store/index.ts";
import { ChangeRepository } from "./store/changes.ts";
import { ChangeWorkflow } from "./changes/workflow.ts";
import { SlackChangeNotifier } from "./slack/change-notifier.ts";
import { SlackApproverDirectory } from "./slack/approver-directory.ts";
import { webClientOptions } from "./slack/web-api-fetch.ts";
import { hostname } from "node:os";
import { randomUUID } from "node:crypto";
import { WebClient } from "@slack/web-api";
import { scheduleBackupRetention } from "./rollback/backup-retention-job.ts";
import { OutboxReconciler } from "./outbox/reconciler.ts";
import { Outbox } from "./store/outbox.ts";
import { slackDelivery } from "./slack/outbox-delivery.ts";

/**
 * The background Web API client's own retries: a few quick ones (a 429 waits its Retry-After first). Longer outages
 * are the outbox's to ride out, so one stuck call does not hold every later message for half an hour (the client's
 * default).
 */
const BACKGROUND_RETRIES = { retries: 3, factor: 2, minTimeout: 500, maxTimeout: 4_000 };

export const migrationsDir = fileURLToPath(new URL("../prisma/migrations", import.meta.url));

export interface SlackConnection {
  botToken: string;
  signingSecret: string;
  appToken?: string;
  apiUrl?: string;
  /** The only origins the bot token is sent to for a file a user attached: Slack's file hosts (or the local Slack's). */
  fileOrigins: readonly string[];
  botUserId?: string;
}

export interface StartOptions {
  config: Config;
  logger: Logger;
  slack: SlackConnection;
  port: number;
  host?: string;
  extraRoutes?: CustomRoute[];
  /** How long the store's pool keeps an idle connection (pg's default when unset); tests shorten it. */
  storeIdleTimeoutMs?: number;
}

export interface RunningSluice {
  port: number;
  store: Store;
  services: SluiceServices;
  /** The Linux thread id of the thread that acknowledges Slack's requests, when there is one (see ThreadReceiver). */
  acknowledgementThreadId(): number | undefined;
  stop(): Promise<void>;
}

export async function startSluice(options: StartOptions): Promise<RunningSluice> {
  const { config, logger } = options;
  applyHeapSettings();
  const store = await openStore({
    databaseUrl: config.settings.databaseUrl,
    dataDir: config.settings.dataDir,
    migrationsDir,
    logger,
    idleTimeoutMs: options.storeIdleTimeoutMs,
  });
  let drift: DriftMonitor | undefined;
  let reconciler: OutboxReconciler | undefined;
  try {
    const registry = await Registry.sync(store.prisma, config);
    const slackClient = new WebClient(options.slack.botToken, { ...webClientOptions(options.slack.apiUrl), retryConfig: BACKGROUND_RETRIES, logger: undefined });
    const monitor = new DriftMonitor({
      store,
      databases: registry.databases,
      connect: connectLive(config, registry),
      fingerprints: fingerprintsLive(config, registry),
      logger,
      onDriftResolved: (database) => workflow.releaseDriftHolds(database.id),
    });
    drift = monitor;
    const changes = new ChangeRepository(store.prisma, store.pool);
    const approvers = new SlackApproverDirectory(slackClient);
    const runnerId = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
    const changeNotifier = new SlackChangeNotifier(slackClient, changes, logger);
    reconciler = new OutboxReconciler({
      outbox: new Outbox(store.pool),
      owner: runnerId,
      deliver: slackDelivery({ changes, changeNotifier, driftAlerts: new DriftAlertSender(slackClient, { config, store, registry, logger }) }),
      logger,
      maxDelayMs: config.file.delivery.maxRetrySeconds * 1000,
    });
    const announceDrift = driftAnnouncer(reconciler);
    const workflow: ChangeWorkflow = new ChangeWorkflow({
      prisma: store.prisma,
      pool: store.pool,
      changes,
      registry,
      config,
      logger,
      notifier: changeNotifier,
      announcements: reconciler,
      approvers,
      drift: { openDrift: (database) => monitor.openDrift(database, announceDrift) },
      runnerId,
    });
    const fileDownloads = { botToken: options.slack.botToken, origins: options.slack.fileOrigins };
    const services: SluiceServices = { config, logger, store, registry, drift, changes, workflow, approvers, slack: slackClient, fileDownloads, sqlDrafts: new SqlDrafts(store.prisma), announcements: reconciler };
    const slack = createSlackApp(services, {
      ...options.slack,
      extraRoutes: options.extraRoutes,
      port: options.port,
      health: new HealthCheck({ store: () => store.ping(), instances: () => probeInstances(config, registry, logger) }, config.file.health.probeIntervalSeconds * 1000),
    });
    startDriftAlerts(services);
    const port = await slack.start(options.port, options.host);
    // Changes whose runner died (a crash, kill -9, a lost replica) are marked interrupted, changes a drift held whose
    // drift was resolved while no process could let them go are let go, and approved changes whose process died before
    // their run started are run: now, and every minute.
    const recover = () =>
      Promise.all([
        workflow.runner.recoverInterrupted().then(
          (count) => count > 0 && logger.warn({ count }, "marked changes interrupted whose runner is gone"),
          (error: unknown) => logger.error({ err: error }, "could not check for interrupted changes"),
        ),
        workflow.releaseDriftHolds().catch((error: unknown) => logger.error({ err: error }, "could not let go changes held by resolved drifts")),
      ]).then(() =>
        workflow.runApproved().catch((error: unknown) => logger.error({ err: error }, "could not start approved changes nobody runs")),
      );
    await recover();
    // What Slack was not told before (Slack or the store down, a process killed in between) goes out now, in the background.
    void reconciler.start();
    const recovery = setInterval(() => void recover(), 60_000);
    recovery.unref();
    const retention = scheduleBackupRetention({ config, registry, store, logger });
    logger.info({ port, store: store.embedded ? "embedded" : "postgres", acknowledgementThread: slack.acknowledgementThreadId() }, "Sluice is listening");
    return {
      port,
      store,
      services,
      acknowledgementThreadId: () => slack.acknowledgementThreadId(),
      stop: async () => {
        await drift!.stop();
        clearInterval(recovery);
        await retention.stop();
        await slack.stop();
        await workflow.idle();
        await reconciler!.stop();
        await store.close();
      },
    };
  } catch (error) {
    await drift?.stop();
    await reconciler?.stop();
    await store.close();
    throw error;
  }
}
