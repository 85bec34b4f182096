-- Where a one-by-one run's session stood on the target when it started (MySQL: thread id, binlog position, server
-- start), so that after a crash the statement it had can be settled from the target's binlog.
ALTER TABLE "Execution" ADD COLUMN "sessionMark" JSONB;
