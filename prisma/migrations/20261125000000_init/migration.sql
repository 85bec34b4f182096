-- CreateEnum
CREATE TYPE "Engine" AS ENUM ('mysql', 'postgres');

-- CreateEnum
CREATE TYPE "ChangeType" AS ENUM ('schema', 'data', 'create_database', 'baseline', 'rollback');

-- CreateEnum
CREATE TYPE "ChangeStatus" AS ENUM ('review', 'awaiting_approval', 'approved', 'running', 'done', 'failed', 'interrupted', 'rejected', 'canceled');

-- CreateEnum
CREATE TYPE "FindingLevel" AS ENUM ('error', 'warning');

-- CreateEnum
CREATE TYPE "Decision" AS ENUM ('approve', 'reject', 'override', 'mark_done');

-- CreateEnum
CREATE TYPE "StatementStatus" AS ENUM ('pending', 'running', 'done', 'failed', 'skipped', 'rolled_back');

-- CreateEnum
CREATE TYPE "ExecutionStatus" AS ENUM ('running', 'done', 'failed', 'interrupted');

-- CreateEnum
CREATE TYPE "SnapshotKind" AS ENUM ('before', 'after', 'baseline');

-- CreateEnum
CREATE TYPE "AnomalyKind" AS ENUM ('drift', 'unreachable');

-- CreateEnum
CREATE TYPE "AnomalyStatus" AS ENUM ('open', 'resolved');

-- CreateTable
CREATE TABLE "Instance" (
    "id" SERIAL NOT NULL,
    "name" TEXT NOT NULL,
    "engine" "Engine" NOT NULL,
    "host" TEXT NOT NULL,
    "port" INTEGER NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Instance_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Environment" (
    "id" SERIAL NOT NULL,
    "name" TEXT NOT NULL,
    "autoApprove" BOOLEAN NOT NULL DEFAULT false,
    "allowSelfApproval" BOOLEAN NOT NULL DEFAULT false,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Environment_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Project" (
    "id" SERIAL NOT NULL,
    "key" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "slackChannel" TEXT NOT NULL,
    "lastChangeNumber" INTEGER NOT NULL DEFAULT 0,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Project_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Database" (
    "id" SERIAL NOT NULL,
    "name" TEXT NOT NULL,
    "instanceId" INTEGER NOT NULL,
    "environmentId" INTEGER NOT NULL,
    "projectId" INTEGER NOT NULL,
    "pending" BOOLEAN NOT NULL DEFAULT false,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Database_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Change" (
    "id" SERIAL NOT NULL,
    "projectId" INTEGER NOT NULL,
    "number" INTEGER NOT NULL,
    "key" TEXT NOT NULL,
    "databaseId" INTEGER NOT NULL,
    "type" "ChangeType" NOT NULL,
    "status" "ChangeStatus" NOT NULL DEFAULT 'review',
    "sql" TEXT NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "requesterId" TEXT NOT NULL,
    "requestKey" TEXT,
    "slackChannel" TEXT,
    "slackTs" TEXT,
    "rollbackOfId" INTEGER,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Change_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Statement" (
    "id" SERIAL NOT NULL,
    "changeId" INTEGER NOT NULL,
    "ordinal" INTEGER NOT NULL,
    "sql" TEXT NOT NULL,
    "line" INTEGER NOT NULL,
    "column" INTEGER NOT NULL,
    "status" "StatementStatus" NOT NULL DEFAULT 'pending',

    CONSTRAINT "Statement_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Review" (
    "id" SERIAL NOT NULL,
    "changeId" INTEGER,
    "errorCount" INTEGER NOT NULL,
    "warningCount" INTEGER NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Review_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Finding" (
    "id" SERIAL NOT NULL,
    "reviewId" INTEGER NOT NULL,
    "statementOrdinal" INTEGER,
    "line" INTEGER NOT NULL,
    "column" INTEGER NOT NULL,
    "ruleId" TEXT NOT NULL,
    "level" "FindingLevel" NOT NULL,
    "message" TEXT NOT NULL,
    "advice" TEXT NOT NULL DEFAULT '',

    CONSTRAINT "Finding_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Approval" (
    "id" SERIAL NOT NULL,
    "changeId" INTEGER NOT NULL,
    "userId" TEXT NOT NULL,
    "decision" "Decision" NOT NULL,
    "reason" TEXT NOT NULL DEFAULT '',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Approval_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Execution" (
    "id" SERIAL NOT NULL,
    "changeId" INTEGER NOT NULL,
    "attempt" INTEGER NOT NULL,
    "status" "ExecutionStatus" NOT NULL DEFAULT 'running',
    "runnerId" TEXT NOT NULL,
    "transactional" BOOLEAN NOT NULL DEFAULT false,
    "startedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "committingAt" TIMESTAMP(3),
    "finishedAt" TIMESTAMP(3),
    "error" TEXT,
    "threadId" TEXT,
    "gtid" TEXT,
    "binlogStart" TEXT,
    "binlogEnd" TEXT,
    "backupTables" JSONB,
    "rollbackSql" TEXT,
    "rollbackForcedSql" TEXT,
    "rollbackRows" INTEGER,
    "rollbackNote" TEXT,

    CONSTRAINT "Execution_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "StatementResult" (
    "id" SERIAL NOT NULL,
    "executionId" INTEGER NOT NULL,
    "statementId" INTEGER NOT NULL,
    "status" "StatementStatus" NOT NULL,
    "rowsAffected" INTEGER,
    "durationMs" INTEGER,
    "error" TEXT,
    "startedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finishedAt" TIMESTAMP(3),

    CONSTRAINT "StatementResult_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "SchemaSnapshot" (
    "id" SERIAL NOT NULL,
    "databaseId" INTEGER NOT NULL,
    "changeId" INTEGER,
    "kind" "SnapshotKind" NOT NULL,
    "schema" TEXT NOT NULL,
    "fingerprint" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "SchemaSnapshot_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Rollback" (
    "id" SERIAL NOT NULL,
    "sourceChangeId" INTEGER NOT NULL,
    "rollbackChangeId" INTEGER NOT NULL,
    "sql" TEXT NOT NULL,
    "forcedSql" TEXT NOT NULL DEFAULT '',
    "forced" BOOLEAN NOT NULL DEFAULT false,
    "rowCount" INTEGER NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Rollback_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "DriftAnomaly" (
    "id" SERIAL NOT NULL,
    "databaseId" INTEGER NOT NULL,
    "kind" "AnomalyKind" NOT NULL,
    "status" "AnomalyStatus" NOT NULL DEFAULT 'open',
    "snapshotId" INTEGER,
    "liveFingerprint" TEXT,
    "diff" TEXT NOT NULL DEFAULT '',
    "detectedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    "resolvedAt" TIMESTAMP(3),
    "resolvedBy" TEXT,
    "resolution" TEXT,
    "slackChannel" TEXT,
    "slackTs" TEXT,

    CONSTRAINT "DriftAnomaly_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AuditLog" (
    "id" SERIAL NOT NULL,
    "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "actorId" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "databaseId" INTEGER,
    "changeId" INTEGER,
    "sql" TEXT,
    "detail" JSONB,

    CONSTRAINT "AuditLog_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "Instance_name_key" ON "Instance"("name");

-- CreateIndex
CREATE UNIQUE INDEX "Environment_name_key" ON "Environment"("name");

-- CreateIndex
CREATE UNIQUE INDEX "Project_key_key" ON "Project"("key");

-- CreateIndex
CREATE UNIQUE INDEX "Database_instanceId_name_key" ON "Database"("instanceId", "name");

-- CreateIndex
CREATE UNIQUE INDEX "Change_key_key" ON "Change"("key");

-- CreateIndex
CREATE UNIQUE INDEX "Change_requestKey_key" ON "Change"("requestKey");

-- CreateIndex
CREATE INDEX "Change_databaseId_createdAt_idx" ON "Change"("databaseId", "createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "Change_projectId_number_key" ON "Change"("projectId", "number");

-- CreateIndex
CREATE UNIQUE INDEX "Statement_changeId_ordinal_key" ON "Statement"("changeId", "ordinal");

-- CreateIndex
CREATE UNIQUE INDEX "Execution_changeId_attempt_key" ON "Execution"("changeId", "attempt");

-- CreateIndex
CREATE UNIQUE INDEX "StatementResult_executionId_statementId_key" ON "StatementResult"("executionId", "statementId");

-- CreateIndex
CREATE INDEX "SchemaSnapshot_databaseId_createdAt_idx" ON "SchemaSnapshot"("databaseId", "createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "Rollback_rollbackChangeId_key" ON "Rollback"("rollbackChangeId");

-- CreateIndex
CREATE INDEX "DriftAnomaly_databaseId_status_idx" ON "DriftAnomaly"("databaseId", "status");

-- AddForeignKey
ALTER TABLE "Database" ADD CONSTRAINT "Database_instanceId_fkey" FOREIGN KEY ("instanceId") REFERENCES "Instance"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Database" ADD CONSTRAINT "Database_environmentId_fkey" FOREIGN KEY ("environmentId") REFERENCES "Environment"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Database" ADD CONSTRAINT "Database_projectId_fkey" FOREIGN KEY ("projectId") REFERENCES "Project"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Change" ADD CONSTRAINT "Change_projectId_fkey" FOREIGN KEY ("projectId") REFERENCES "Project"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Change" ADD CONSTRAINT "Change_databaseId_fkey" FOREIGN KEY ("databaseId") REFERENCES "Database"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Change" ADD CONSTRAINT "Change_rollbackOfId_fkey" FOREIGN KEY ("rollbackOfId") REFERENCES "Change"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Statement" ADD CONSTRAINT "Statement_changeId_fkey" FOREIGN KEY ("changeId") REFERENCES "Change"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Review" ADD CONSTRAINT "Review_changeId_fkey" FOREIGN KEY ("changeId") REFERENCES "Change"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Finding" ADD CONSTRAINT "Finding_reviewId_fkey" FOREIGN KEY ("reviewId") REFERENCES "Review"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Approval" ADD CONSTRAINT "Approval_changeId_fkey" FOREIGN KEY ("changeId") REFERENCES "Change"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Execution" ADD CONSTRAINT "Execution_changeId_fkey" FOREIGN KEY ("changeId") REFERENCES "Change"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "StatementResult" ADD CONSTRAINT "StatementResult_executionId_fkey" FOREIGN KEY ("executionId") REFERENCES "Execution"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "StatementResult" ADD CONSTRAINT "StatementResult_statementId_fkey" FOREIGN KEY ("statementId") REFERENCES "Statement"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SchemaSnapshot" ADD CONSTRAINT "SchemaSnapshot_databaseId_fkey" FOREIGN KEY ("databaseId") REFERENCES "Database"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SchemaSnapshot" ADD CONSTRAINT "SchemaSnapshot_changeId_fkey" FOREIGN KEY ("changeId") REFERENCES "Change"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Rollback" ADD CONSTRAINT "Rollback_sourceChangeId_fkey" FOREIGN KEY ("sourceChangeId") REFERENCES "Change"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Rollback" ADD CONSTRAINT "Rollback_rollbackChangeId_fkey" FOREIGN KEY ("rollbackChangeId") REFERENCES "Change"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "DriftAnomaly" ADD CONSTRAINT "DriftAnomaly_databaseId_fkey" FOREIGN KEY ("databaseId") REFERENCES "Database"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "DriftAnomaly" ADD CONSTRAINT "DriftAnomaly_snapshotId_fkey" FOREIGN KEY ("snapshotId") REFERENCES "SchemaSnapshot"("id") ON DELETE SET NULL ON UPDATE CASCADE;
