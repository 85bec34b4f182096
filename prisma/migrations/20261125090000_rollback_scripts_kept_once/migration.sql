-- A rollback's scripts are kept once, with the execution that prepared them (and the guarded one as the rollback
-- change's SQL): copying them into "Rollback" stored a script of 100,000 rows a third time.
ALTER TABLE "Rollback" DROP COLUMN "sql",
DROP COLUMN "forcedSql";
