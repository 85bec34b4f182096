// The audit trail of /db query and /db admin: who ran what on which database, and how it ended.
import type { Prisma, PrismaClient } from "../store/generated/client.ts";

export type AuditAction = "query" | "admin";

export interface AuditEntry {
  actorId: string;
  action: AuditAction;
  databaseId?: number;
  sql: string;
  detail: {
    database: string;
    refused: boolean;
    reason?: string;
    rows?: number;
    durationMs?: number;
    truncated?: boolean;
    maskedColumns?: string[];
    error?: string;
    statements?: Array<{ rowsAffected?: number; rows?: number; durationMs: number; error?: string }>;
  };
}

export class AuditTrail {
  constructor(private readonly prisma: PrismaClient) {}

  async record(entry: AuditEntry): Promise<void> {
    await this.prisma.auditLog.create({
      data: {
        actorId: entry.actorId,
        action: entry.action,
        databaseId: entry.databaseId ?? null,
        sql: entry.sql,
        detail: JSON.parse(JSON.stringify(entry.detail)) as Prisma.InputJsonValue,
      },
    });
  }
}
