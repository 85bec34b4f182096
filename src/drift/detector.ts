// Compares each database's live schema with its latest snapshot. One cheap fingerprint query decides whether a
// full dump and diff are needed; what changed since the last check comes back as events.
import { EngineError, type EngineSession } from "../engines/index.ts";
import { redactSecrets } from "../logger.ts";
import type { RegisteredDatabase } from "../projects/registry.ts";
import type { DriftAnomaly, PrismaClient } from "../store/generated/client.ts";
import { openAnomaly, resolveAndTell, tellSlack } from "./anomalies.ts";
import { schemaDiff } from "./diff.ts";
import type { DatabaseCheck, DriftEvent } from "./events.ts";
import { withLiveSession, type ConnectLive, type ReadFingerprints } from "./live-schema.ts";
import { latestSnapshotHead, latestSnapshotHeads, recordFirstBaseline, refreshFingerprint, snapshotSchema, type SnapshotHead } from "./snapshots.ts";

export interface DriftDetectorOptions {
  prisma: PrismaClient;
  connect: ConnectLive;
  /** Reads many databases' fingerprints at once; without it each check reads its own. */
  fingerprints?: ReadFingerprints;
  /** How many databases are checked at the same time. */
  concurrency?: number;
}

/** What the live database showed: its fingerprint, and its schema text when it had to be read. */
type LiveReading =
  | { kind: "unreachable"; reason: string }
  | { kind: "matches" }
  | { kind: "same_drift" }
  | { kind: "dumped"; fingerprint: string; schema: string };

const DEFAULT_CONCURRENCY = 8;

export class DriftDetector {
  private readonly prisma: PrismaClient;
  private readonly connect: ConnectLive;
  private readonly fingerprints?: ReadFingerprints;
  private readonly concurrency: number;

  constructor(options: DriftDetectorOptions) {
    this.prisma = options.prisma;
    this.connect = options.connect;
    this.fingerprints = options.fingerprints;
    this.concurrency = options.concurrency ?? DEFAULT_CONCURRENCY;
  }

  /** Checks every database; a failure on one (other than being unreachable) is returned, not thrown. */
  async checkAll(databases: readonly RegisteredDatabase[]): Promise<Array<DatabaseCheck | { database: RegisteredDatabase; error: unknown }>> {
    if (!this.fingerprints) {
      return mapConcurrently(databases, this.concurrency, (database) => this.check(database).catch((error: unknown) => ({ database, error })));
    }
    // The cheap path for the common case, nothing changed: every fingerprint, latest snapshot and open anomaly is
    // read in a few queries for all databases; only a database they cannot settle gets its own full check.
    const ids = databases.map((d) => d.id);
    const [known, snapshots, open, busy] = await Promise.all([
      this.fingerprints(databases),
      latestSnapshotHeads(this.prisma, ids),
      this.prisma.driftAnomaly.findMany({ where: { databaseId: { in: ids }, status: "open" }, orderBy: { id: "desc" } }),
      runningChanges(this.prisma, ids),
    ]);
    return mapConcurrently(databases, this.concurrency, async (database) => {
      if (busy.has(database.id)) return busyCheck(database);
      const fingerprint = known.get(database.id);
      const anomalies = open.filter((a) => a.databaseId === database.id);
      const settled = fingerprint === undefined || anomalies.some((a) => a.kind === "unreachable") ? undefined : settle(database, fingerprint, snapshots.get(database.id) ?? null, anomalies.find((a) => a.kind === "drift") ?? null);
      return settled ?? this.check(database, fingerprint).catch((error: unknown) => ({ database, error }));
    });
  }

  /** `knownFingerprint`: the live fingerprint when it was already read (checkAll reads them together). */
  async check(database: RegisteredDatabase, knownFingerprint?: string): Promise<DatabaseCheck> {
    if ((await runningChanges(this.prisma, [database.id])).size > 0) return busyCheck(database);
    const snapshot = await latestSnapshotHead(this.prisma, database.id);
    const openDrift = await openAnomaly(this.prisma, database.id, "drift");
    const decided = knownFingerprint === undefined ? undefined : decide(knownFingerprint, snapshot, openDrift);
    const live = decided ?? (await this.readLive(database, snapshot, openDrift));
    const events: DriftEvent[] = [];
    if (live.kind === "unreachable") return this.unreachable(database, live.reason);

    const unreachable = await openAnomaly(this.prisma, database.id, "unreachable");
    if (unreachable) {
      const resolved = await resolveAndTell(this.prisma, unreachable.id, "The database answered again.", { type: "reachable_again" });
      if (resolved) events.push({ type: "reachable_again", database, anomaly: resolved });
    }

    if (!snapshot) {
      if (live.kind !== "dumped") throw new Error("unreachable: a database without a snapshot is always dumped");
      await recordFirstBaseline(this.prisma, database.id, live.schema, live.fingerprint);
      return { database, outcome: "baselined", events, fingerprintOnly: false };
    }
    if (live.kind === "same_drift") return { database, outcome: "drifted", events, fingerprintOnly: true, anomaly: openDrift! };
    if (live.kind === "matches") return this.inSync(database, openDrift, events, true);
    const snapshotText = await snapshotSchema(this.prisma, snapshot.id);
    if (snapshotText === live.schema) {
      await refreshFingerprint(this.prisma, snapshot.id, live.fingerprint);
      return this.inSync(database, openDrift, events, false);
    }

    const diff = schemaDiff(database.label, snapshot.createdAt, snapshotText, live.schema);
    const type = openDrift ? "drift_changed" : "drift_detected";
    const anomaly = await this.prisma.$transaction(async (tx) => {
      const recorded = openDrift
        ? await tx.driftAnomaly.update({ where: { id: openDrift.id }, data: { diff, liveFingerprint: live.fingerprint, snapshotId: snapshot.id } })
        : await tx.driftAnomaly.create({ data: { databaseId: database.id, kind: "drift", snapshotId: snapshot.id, liveFingerprint: live.fingerprint, diff } });
      await tellSlack(tx, recorded.id, { type, diff });
      return recorded;
    });
    events.push({ type, database, anomaly });
    return { database, outcome: "drifted", events, fingerprintOnly: false, anomaly };
  }

  private async inSync(database: RegisteredDatabase, openDrift: DriftAnomaly | null, events: DriftEvent[], fingerprintOnly: boolean): Promise<DatabaseCheck> {
    if (openDrift) {
      const resolved = await resolveAndTell(this.prisma, openDrift.id, "The live schema matches the snapshot again.", { type: "drift_resolved", resolution: { by: "went_away" } });
      if (resolved) events.push({ type: "drift_resolved", database, anomaly: resolved });
    }
    return { database, outcome: "in_sync", events, fingerprintOnly };
  }

  /**
   * Reads only the fingerprint when it can decide: equal to the snapshot's (in sync) or to the open drift's live
   * fingerprint against the same snapshot (the same drift, its alert posted or owed in the outbox). Otherwise dumps the schema.
   */
  private async readLive(database: RegisteredDatabase, snapshot: SnapshotHead | null, openDrift: DriftAnomaly | null): Promise<LiveReading> {
    try {
      return await withLiveSession(this.connect, database, async (session: EngineSession): Promise<LiveReading> => {
        const fingerprint = await session.schemaFingerprint();
        return decide(fingerprint, snapshot, openDrift) ?? { kind: "dumped", fingerprint, schema: await session.dumpSchema() };
      });
    } catch (error) {
      if (error instanceof EngineError) return { kind: "unreachable", reason: redactSecrets(error.message) };
      throw error;
    }
  }

  private async unreachable(database: RegisteredDatabase, reason: string): Promise<DatabaseCheck> {
    const known = await openAnomaly(this.prisma, database.id, "unreachable");
    if (known) return { database, outcome: "unreachable", events: [], fingerprintOnly: true, anomaly: known };
    const anomaly = await this.prisma.$transaction(async (tx) => {
      const opened = await tx.driftAnomaly.create({ data: { databaseId: database.id, kind: "unreachable" } });
      await tellSlack(tx, opened.id, { type: "unreachable", reason });
      return opened;
    });
    return { database, outcome: "unreachable", events: [{ type: "unreachable", database, anomaly, reason }], fingerprintOnly: true, anomaly };
  }
}

/** The databases among `ids` that a change of Sluice's is running on. */
async function runningChanges(prisma: PrismaClient, ids: readonly number[]): Promise<Set<number>> {
  const rows = await prisma.change.findMany({ where: { databaseId: { in: [...ids] }, status: "running" }, select: { databaseId: true }, distinct: ["databaseId"] });
  return new Set(rows.map((row) => row.databaseId));
}

function busyCheck(database: RegisteredDatabase): DatabaseCheck {
  return { database, outcome: "busy", events: [], fingerprintOnly: true };
}

/** A check that a fingerprint settles without writing anything: in sync with nothing open, or the same open drift. */
function settle(database: RegisteredDatabase, fingerprint: string, snapshot: SnapshotHead | null, openDrift: DriftAnomaly | null): DatabaseCheck | undefined {
  const reading = decide(fingerprint, snapshot, openDrift);
  if (reading?.kind === "matches" && !openDrift) return { database, outcome: "in_sync", events: [], fingerprintOnly: true };
  if (reading?.kind === "same_drift") return { database, outcome: "drifted", events: [], fingerprintOnly: true, anomaly: openDrift! };
  return undefined;
}

/** What a fingerprint alone decides: the snapshot's (in sync), or the open drift's against the same snapshot. */
function decide(fingerprint: string, snapshot: SnapshotHead | null, openDrift: DriftAnomaly | null): LiveReading | undefined {
  if (snapshot && fingerprint === snapshot.fingerprint) return { kind: "matches" };
  if (snapshot && openDrift?.snapshotId === snapshot.id && fingerprint === openDrift.liveFingerprint) return { kind: "same_drift" };
  return undefined;
}

async function mapConcurrently<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
