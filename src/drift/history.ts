// The recent changes of one database, for "View history" on a drift alert.
import type { PrismaClient } from "../store/generated/client.ts";

export interface ChangeSummary {
  key: string;
  type: string;
  status: string;
  requesterId: string;
  createdAt: Date;
}

export function recentChanges(prisma: PrismaClient, databaseId: number, limit = 10): Promise<ChangeSummary[]> {
  return prisma.change.findMany({
    where: { databaseId },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: limit,
    select: { key: true, type: true, status: true, requesterId: true, createdAt: true },
  });
}
