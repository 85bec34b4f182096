-- A schema change checked against an open drift remembers it, and waits for it to be resolved when its
-- environment's drift gate blocks.
ALTER TABLE "Change" ADD COLUMN "driftAnomalyId" INTEGER,
ADD COLUMN "driftHeld" BOOLEAN NOT NULL DEFAULT false;

ALTER TABLE "Change" ADD CONSTRAINT "Change_driftAnomalyId_fkey" FOREIGN KEY ("driftAnomalyId") REFERENCES "DriftAnomaly"("id") ON DELETE SET NULL ON UPDATE CASCADE;
