-- The target's id of a transaction whose COMMIT Sluice started: after a crash in between, PostgreSQL can say
-- whether it committed (txid_status), instead of "may or may not be applied".
ALTER TABLE "Execution" ADD COLUMN "commitTxid" TEXT;
