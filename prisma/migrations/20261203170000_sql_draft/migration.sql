-- SQL typed on the command line that a form's text field cannot hold: kept for the user's form, a day at most, in the
-- store so that a restart or another replica can still submit it.
CREATE TABLE "SqlDraft" (
    "key" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "sql" TEXT NOT NULL,
    "expiresAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "SqlDraft_pkey" PRIMARY KEY ("key")
);

CREATE INDEX "SqlDraft_expiresAt_idx" ON "SqlDraft"("expiresAt");
