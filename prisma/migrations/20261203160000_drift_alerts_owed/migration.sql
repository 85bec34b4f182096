-- Drift alerts and their updates are delivered through the outbox from now on. An open drift whose alert never
-- reached Slack (until now the next check that found it posted it again) is owed its alert.
INSERT INTO "SlackOutbox" ("subject", "payload", "availableAt", "createdAt")
SELECT 'drift:' || "id", jsonb_build_object('type', 'drift_detected', 'diff', "diff"), now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC'
FROM "DriftAnomaly"
WHERE "status" = 'open' AND "kind" = 'drift' AND "slackTs" IS NULL
ORDER BY "id";
