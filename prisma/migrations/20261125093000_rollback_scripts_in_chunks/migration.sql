-- A prepared rollback's script is kept in pieces cut between statements, written and read one at a time: as one
-- value, a rollback of 200,000 rows was tens of MB in memory at once, several times over.
CREATE TABLE "RollbackChunk" (
    "id" SERIAL NOT NULL,
    "executionId" INTEGER NOT NULL,
    "forced" BOOLEAN NOT NULL DEFAULT false,
    "seq" INTEGER NOT NULL,
    "sql" TEXT NOT NULL,

    CONSTRAINT "RollbackChunk_pkey" PRIMARY KEY ("id")
);

CREATE UNIQUE INDEX "RollbackChunk_executionId_forced_seq_key" ON "RollbackChunk"("executionId", "forced", "seq");

ALTER TABLE "RollbackChunk" ADD CONSTRAINT "RollbackChunk_executionId_fkey" FOREIGN KEY ("executionId") REFERENCES "Execution"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Scripts prepared before this migration become one piece each.
INSERT INTO "RollbackChunk" ("executionId", "forced", "seq", "sql")
SELECT "id", false, 0, "rollbackSql" FROM "Execution" WHERE "rollbackSql" IS NOT NULL;
INSERT INTO "RollbackChunk" ("executionId", "forced", "seq", "sql")
SELECT "id", true, 0, "rollbackForcedSql" FROM "Execution" WHERE "rollbackForcedSql" IS NOT NULL AND "rollbackForcedSql" <> '';

ALTER TABLE "Execution" DROP COLUMN "rollbackSql",
DROP COLUMN "rollbackForcedSql";

