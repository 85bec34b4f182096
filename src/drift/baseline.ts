// "Establish new baseline": the live schema becomes the reference, recorded as a `baseline` change in the
// database's history, and the drift anomaly it answers is resolved.
import type { RegisteredDatabase } from "../projects/registry.ts";
import type { Change, DriftAnomaly, PrismaClient, SchemaSnapshot } from "../store/generated/client.ts";
import { findAnomaly, resolveAnomaly, tellSlack } from "./anomalies.ts";
import { StaleAnomalyError } from "./errors.ts";
import { withLiveSession, type ConnectLive } from "./live-schema.ts";

export interface Baseline {
  change: Change;
  snapshot: SchemaSnapshot;
  anomaly: DriftAnomaly;
}

export interface BaselineRequest {
  prisma: PrismaClient;
  connect: ConnectLive;
  database: RegisteredDatabase;
  anomalyId: number;
  userId: string;
}

export async function establishBaseline({ prisma, connect, database, anomalyId, userId }: BaselineRequest): Promise<Baseline> {
  await openDriftOf(prisma, database, anomalyId);
  const live = await withLiveSession(connect, database, async (session) => ({
    fingerprint: await session.schemaFingerprint(),
    schema: await session.dumpSchema(),
  }));
  return prisma.$transaction(async (tx) => {
    const anomaly = await resolveAnomaly(tx, anomalyId, "baseline", userId);
    if (!anomaly) throw alreadyResolved(database);
    const [allocated] = await tx.$queryRaw<Array<{ number: number; key: string }>>`
      UPDATE "Project" SET "lastChangeNumber" = "lastChangeNumber" + 1, "updatedAt" = now()
      WHERE "id" = ${database.project.id}
      RETURNING "lastChangeNumber" AS "number", "key"`;
    const change = await tx.change.create({
      data: {
        projectId: database.project.id,
        number: allocated!.number,
        key: `${allocated!.key}-${allocated!.number}`,
        databaseId: database.id,
        type: "baseline",
        status: "done",
        sql: "",
        description: "New baseline after schema drift: the live schema is now the reference.",
        requesterId: userId,
      },
    });
    const snapshot = await tx.schemaSnapshot.create({
      data: { databaseId: database.id, changeId: change.id, kind: "baseline", schema: live.schema, fingerprint: live.fingerprint },
    });
    await tellSlack(tx, anomalyId, { type: "drift_resolved", resolution: { by: "baseline", userId, changeKey: change.key } });
    return { change, snapshot, anomaly };
  });
}

/** The open drift anomaly of this database with this id, or a StaleAnomalyError saying why there is none. */
export async function openDriftOf(prisma: PrismaClient, database: RegisteredDatabase, anomalyId: number): Promise<DriftAnomaly> {
  const anomaly = await findAnomaly(prisma, anomalyId);
  if (!anomaly || anomaly.databaseId !== database.id || anomaly.kind !== "drift") {
    throw new StaleAnomalyError(`This drift alert no longer matches a recorded anomaly of ${database.label}; run \`/db drift ${database.label}\` to check again.`);
  }
  if (anomaly.status !== "open") throw alreadyResolved(database);
  return anomaly;
}

function alreadyResolved(database: RegisteredDatabase): StaleAnomalyError {
  return new StaleAnomalyError(
    `This drift on ${database.label} is already resolved, so nothing changed. Run \`/db drift ${database.label}\` to compare the live schema again.`,
  );
}
