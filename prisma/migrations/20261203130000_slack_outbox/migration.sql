-- What Slack is still to be told about a change or a drift: written in the same transaction as what it reports,
-- deleted once delivered. The rows of one subject are delivered in order; a replica claims one with a lease.
CREATE TABLE "SlackOutbox" (
    "id" SERIAL NOT NULL,
    "subject" TEXT NOT NULL,
    "payload" JSONB NOT NULL,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "lastError" TEXT,
    "availableAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "claimedBy" TEXT,
    "claimedUntil" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "SlackOutbox_pkey" PRIMARY KEY ("id")
);

CREATE INDEX "SlackOutbox_subject_id_idx" ON "SlackOutbox"("subject", "id");
