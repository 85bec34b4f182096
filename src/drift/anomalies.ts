// Drift anomalies in the store: opened, updated and resolved with compare-and-set, so a second replica or a
// double click never resolves one twice.
import type { AnomalyKind, DriftAnomaly, PrismaClient } from "../store/generated/client.ts";

export function openAnomaly(prisma: PrismaClient, databaseId: number, kind: AnomalyKind): Promise<DriftAnomaly | null> {
  return prisma.driftAnomaly.findFirst({ where: { databaseId, kind, status: "open" }, orderBy: { id: "desc" } });
}

export function openAnomalies(prisma: PrismaClient): Promise<DriftAnomaly[]> {
  return prisma.driftAnomaly.findMany({ where: { status: "open" }, orderBy: [{ detectedAt: "desc" }, { id: "desc" }] });
}

export function findAnomaly(prisma: PrismaClient, anomalyId: number): Promise<DriftAnomaly | null> {
  return prisma.driftAnomaly.findUnique({ where: { id: anomalyId } });
}

/** Resolves an open anomaly; returns it resolved, or undefined when it was not open any more. */
export async function resolveAnomaly(
  prisma: Pick<PrismaClient, "driftAnomaly">,
  anomalyId: number,
  resolution: string,
  resolvedBy?: string,
): Promise<DriftAnomaly | undefined> {
  const { count } = await prisma.driftAnomaly.updateMany({
    where: { id: anomalyId, status: "open" },
    data: { status: "resolved", resolvedAt: new Date(), resolution, resolvedBy: resolvedBy ?? null },
  });
  return count === 1 ? prisma.driftAnomaly.findUniqueOrThrow({ where: { id: anomalyId } }) : undefined;
}

/** Remembers where the alert of an anomaly was posted, so later events update it or reply in its thread. */
export function attachAlert(prisma: PrismaClient, anomalyId: number, slackChannel: string, slackTs: string): Promise<DriftAnomaly> {
  return prisma.driftAnomaly.update({ where: { id: anomalyId }, data: { slackChannel, slackTs } });
}
