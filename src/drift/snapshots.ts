// Schema snapshots: the history of each database's normalized schema, the reference drift is measured against.
import type { PrismaClient } from "../store/generated/client.ts";
import type { SchemaSnapshot, SnapshotKind } from "../store/generated/client.ts";

/** What a drift check needs to know of the latest snapshot; the schema text is read only when a diff is needed. */
export type SnapshotHead = Pick<SchemaSnapshot, "id" | "kind" | "fingerprint" | "createdAt" | "changeId">;

export function recordSnapshot(
  prisma: PrismaClient,
  databaseId: number,
  kind: SnapshotKind,
  schemaText: string,
  fingerprint: string,
  changeId?: number,
): Promise<SchemaSnapshot> {
  return prisma.schemaSnapshot.create({ data: { databaseId, kind, schema: schemaText, fingerprint, changeId: changeId ?? null } });
}

export function latestSnapshot(prisma: PrismaClient, databaseId: number): Promise<SchemaSnapshot | null> {
  return prisma.schemaSnapshot.findFirst({ where: { databaseId }, orderBy: [{ createdAt: "desc" }, { id: "desc" }] });
}

export function latestSnapshotHead(prisma: PrismaClient, databaseId: number): Promise<SnapshotHead | null> {
  return prisma.schemaSnapshot.findFirst({
    where: { databaseId },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    select: { id: true, kind: true, fingerprint: true, createdAt: true, changeId: true },
  });
}

/** The latest snapshot head of each of several databases, in one query (a scheduled run's first step). */
export async function latestSnapshotHeads(prisma: PrismaClient, databaseIds: readonly number[]): Promise<Map<number, SnapshotHead>> {
  const rows = await prisma.schemaSnapshot.findMany({
    where: { databaseId: { in: [...databaseIds] } },
    orderBy: [{ databaseId: "asc" }, { createdAt: "desc" }, { id: "desc" }],
    distinct: ["databaseId"],
    select: { id: true, kind: true, fingerprint: true, createdAt: true, changeId: true, databaseId: true },
  });
  return new Map(rows.map(({ databaseId, ...head }) => [databaseId, head]));
}

export async function snapshotSchema(prisma: PrismaClient, snapshotId: number): Promise<string> {
  const row = await prisma.schemaSnapshot.findUniqueOrThrow({ where: { id: snapshotId }, select: { schema: true } });
  return row.schema;
}

/**
 * Gives a snapshot the fingerprint its unchanged schema reads as now. After an upgrade of Sluice or of the server
 * the same schema can come out as another fingerprint; without this every check would dump it again.
 */
export async function refreshFingerprint(prisma: PrismaClient, snapshotId: number, fingerprint: string): Promise<void> {
  await prisma.schemaSnapshot.update({ where: { id: snapshotId }, data: { fingerprint } });
}

/**
 * Records a database's first baseline unless it has a snapshot by now: a change that ran meanwhile recorded a
 * newer one, and an older dump must not become the latest. Returns whether it recorded.
 */
export async function recordFirstBaseline(prisma: PrismaClient, databaseId: number, schemaText: string, fingerprint: string): Promise<boolean> {
  const inserted = await prisma.$executeRaw`
    INSERT INTO "SchemaSnapshot" ("databaseId", "kind", "schema", "fingerprint")
    SELECT ${databaseId}, 'baseline'::"SnapshotKind", ${schemaText}, ${fingerprint}
    WHERE NOT EXISTS (SELECT 1 FROM "SchemaSnapshot" WHERE "databaseId" = ${databaseId})`;
  return inserted === 1;
}
