// `/db drift [database]`: with a database, compares its live schema with its latest snapshot now; without one,
// lists the open drift anomalies (the Anomaly Center).
import { openAnomalies } from "../../drift/index.ts";
import { anomalyCenterBlocks, anomalyCenterText, checkResultText, type AnomalyEntry } from "../blocks/drift.ts";
import { slackMessage } from "../blocks/text.ts";
import { driftAnnouncer, driftChannel } from "../drift-alerts.ts";
import type { SluiceServices } from "../services.ts";
import type { Subcommand } from "./subcommand.ts";

export const drift: Subcommand = {
  name: "drift",
  usage: "/db drift [database]",
  summary: "Checks a database's live schema against its latest snapshot now; without a database, lists open drift anomalies.",
  examples: ["/db drift", "/db drift {database}"],
  async handle({ args, respond, services }) {
    if (!args) {
      const entries = await anomalyEntries(services);
      await respond({ response_type: "ephemeral", ...slackMessage(anomalyCenterText(entries), anomalyCenterBlocks(entries)) });
      return;
    }
    const database = services.registry.find(args);
    const check = await services.drift.checkNow(database, driftAnnouncer(services.announcements));
    await respond({ response_type: "ephemeral", ...slackMessage(checkResultText(database.label, check.outcome, driftChannel(services.config, database))) });
  },
};

async function anomalyEntries(services: SluiceServices): Promise<AnomalyEntry[]> {
  const anomalies = await openAnomalies(services.store.prisma);
  return anomalies.flatMap((anomaly) => {
    const database = services.registry.byId(anomaly.databaseId);
    if (!database) return [];
    return [
      {
        database: database.label,
        environment: database.environment.name,
        kind: anomaly.kind,
        detectedAt: anomaly.detectedAt,
        alert: anomaly.slackChannel && anomaly.slackTs ? { channel: anomaly.slackChannel, ts: anomaly.slackTs } : undefined,
      },
    ];
  });
}
