// Drift anomalies in the store: opened, updated and resolved with compare-and-set, so a second replica or a
// double click never resolves one twice.
import type { AnomalyKind, DriftAnomaly, Prisma, PrismaClient } from "../store/generated/client.ts";
import { driftSubject, enqueue } from "../store/outbox.ts";
import { prismaQueries } from "../store/plain-sql.ts";
import type { DriftMessage } from "./events.ts";

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

/** Resolves an open anomaly and owes Slack the update that says so, in one transaction. */
export function resolveAndTell(prisma: PrismaClient, anomalyId: number, resolution: string, message: DriftMessage): Promise<DriftAnomaly | undefined> {
  return prisma.$transaction(async (tx) => {
    const resolved = await resolveAnomaly(tx, anomalyId, resolution);
    if (resolved) await tellSlack(tx, anomalyId, message);
    return resolved;
  });
}

/** Owes Slack a message about an anomaly: written by `tx`, the transaction that records what it reports. */
export async function tellSlack(tx: Prisma.TransactionClient, anomalyId: number, message: DriftMessage): Promise<void> {
  await enqueue(prismaQueries(tx), driftSubject(anomalyId), message);
}

/** Remembers where the alert of an anomaly was posted, so later events update it or reply in its thread. */
export function attachAlert(prisma: PrismaClient, anomalyId: number, slackChannel: string, slackTs: string): Promise<DriftAnomaly> {
  return prisma.driftAnomaly.update({ where: { id: anomalyId }, data: { slackChannel, slackTs } });
}
