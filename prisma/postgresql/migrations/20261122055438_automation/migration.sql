-- CreateEnum
CREATE TYPE "AwardSource" AS ENUM ('MANUAL', 'AUTOMATION');

-- CreateEnum
CREATE TYPE "MembershipStatus" AS ENUM ('ACTIVE', 'ENDED');

-- CreateEnum
CREATE TYPE "MembershipEndReason" AS ENUM ('CANCELLED', 'REMOVED', 'EXPIRED');

-- CreateEnum
CREATE TYPE "AwardRuleKind" AS ENUM ('POINTS', 'MEMBERSHIP', 'ACTION');

-- CreateEnum
CREATE TYPE "AutomationJobStatus" AS ENUM ('QUEUED', 'RUNNING', 'COMPLETED', 'FAILED', 'SUPERSEDED');

-- AlterTable
ALTER TABLE "Award" ADD COLUMN     "automationKey" TEXT,
ADD COLUMN     "automationKind" "AwardRuleKind",
ADD COLUMN     "automationLevel" INTEGER,
ADD COLUMN     "automationRevoked" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "source" "AwardSource" NOT NULL DEFAULT 'MANUAL';

-- CreateTable
CREATE TABLE "PointsEntry" (
    "id" TEXT NOT NULL,
    "organizationId" TEXT NOT NULL,
    "earnerId" TEXT NOT NULL,
    "category" TEXT NOT NULL,
    "amount" INTEGER NOT NULL,
    "balanceAfter" INTEGER NOT NULL,
    "reason" TEXT,
    "source" TEXT,
    "idempotencyKey" TEXT,
    "idempotencyHash" TEXT,
    "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "PointsEntry_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "PointsBalance" (
    "organizationId" TEXT NOT NULL,
    "earnerId" TEXT NOT NULL,
    "category" TEXT NOT NULL,
    "balance" INTEGER NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "PointsBalance_pkey" PRIMARY KEY ("earnerId","category")
);

-- CreateTable
CREATE TABLE "Membership" (
    "id" TEXT NOT NULL,
    "organizationId" TEXT NOT NULL,
    "earnerId" TEXT NOT NULL,
    "productId" TEXT NOT NULL,
    "status" "MembershipStatus" NOT NULL DEFAULT 'ACTIVE',
    "startedAt" TIMESTAMP(3) NOT NULL,
    "endsAt" TIMESTAMP(3),
    "endedAt" TIMESTAMP(3),
    "endReason" "MembershipEndReason",
    "activeKey" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Membership_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Action" (
    "id" TEXT NOT NULL,
    "organizationId" TEXT NOT NULL,
    "earnerId" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "occurredAt" TIMESTAMP(3) NOT NULL,
    "metadata" JSONB,
    "idempotencyKey" TEXT,
    "idempotencyHash" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Action_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AwardRule" (
    "id" TEXT NOT NULL,
    "organizationId" TEXT NOT NULL,
    "templateId" TEXT NOT NULL,
    "kind" "AwardRuleKind" NOT NULL,
    "pointsCategory" TEXT,
    "pointsThreshold" INTEGER,
    "productIds" JSONB,
    "actionType" TEXT,
    "actionMinCount" INTEGER,
    "actionWindowDays" INTEGER,
    "revision" INTEGER NOT NULL DEFAULT 1,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "AwardRule_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AutomationJob" (
    "id" TEXT NOT NULL,
    "organizationId" TEXT NOT NULL,
    "templateId" TEXT NOT NULL,
    "ruleRevision" INTEGER NOT NULL,
    "status" "AutomationJobStatus" NOT NULL DEFAULT 'QUEUED',
    "totalEarners" INTEGER NOT NULL DEFAULT 0,
    "processed" INTEGER NOT NULL DEFAULT 0,
    "awarded" INTEGER NOT NULL DEFAULT 0,
    "restored" INTEGER NOT NULL DEFAULT 0,
    "revoked" INTEGER NOT NULL DEFAULT 0,
    "cursor" TEXT,
    "error" TEXT,
    "claimedBy" TEXT,
    "claimedUntil" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "startedAt" TIMESTAMP(3),
    "finishedAt" TIMESTAMP(3),
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "AutomationJob_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "PointsEntry_earnerId_category_at_idx" ON "PointsEntry"("earnerId", "category", "at");

-- CreateIndex
CREATE INDEX "PointsEntry_organizationId_category_at_idx" ON "PointsEntry"("organizationId", "category", "at");

-- CreateIndex
CREATE UNIQUE INDEX "PointsEntry_organizationId_idempotencyKey_key" ON "PointsEntry"("organizationId", "idempotencyKey");

-- CreateIndex
CREATE INDEX "PointsBalance_organizationId_category_balance_idx" ON "PointsBalance"("organizationId", "category", "balance");

-- CreateIndex
CREATE UNIQUE INDEX "Membership_activeKey_key" ON "Membership"("activeKey");

-- CreateIndex
CREATE INDEX "Membership_organizationId_productId_status_idx" ON "Membership"("organizationId", "productId", "status");

-- CreateIndex
CREATE INDEX "Membership_earnerId_status_idx" ON "Membership"("earnerId", "status");

-- CreateIndex
CREATE INDEX "Membership_status_endsAt_idx" ON "Membership"("status", "endsAt");

-- CreateIndex
CREATE INDEX "Action_organizationId_type_earnerId_occurredAt_idx" ON "Action"("organizationId", "type", "earnerId", "occurredAt");

-- CreateIndex
CREATE INDEX "Action_earnerId_occurredAt_idx" ON "Action"("earnerId", "occurredAt");

-- CreateIndex
CREATE UNIQUE INDEX "Action_organizationId_idempotencyKey_key" ON "Action"("organizationId", "idempotencyKey");

-- CreateIndex
CREATE UNIQUE INDEX "AwardRule_templateId_key" ON "AwardRule"("templateId");

-- CreateIndex
CREATE INDEX "AwardRule_organizationId_kind_idx" ON "AwardRule"("organizationId", "kind");

-- CreateIndex
CREATE INDEX "AutomationJob_organizationId_createdAt_idx" ON "AutomationJob"("organizationId", "createdAt");

-- CreateIndex
CREATE INDEX "AutomationJob_status_claimedUntil_idx" ON "AutomationJob"("status", "claimedUntil");

-- CreateIndex
CREATE INDEX "AutomationJob_templateId_createdAt_idx" ON "AutomationJob"("templateId", "createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "Award_automationKey_key" ON "Award"("automationKey");

-- CreateIndex
CREATE INDEX "Award_status_expiresAt_idx" ON "Award"("status", "expiresAt");

-- AddForeignKey
ALTER TABLE "PointsEntry" ADD CONSTRAINT "PointsEntry_organizationId_fkey" FOREIGN KEY ("organizationId") REFERENCES "Organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "PointsEntry" ADD CONSTRAINT "PointsEntry_earnerId_fkey" FOREIGN KEY ("earnerId") REFERENCES "Earner"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "PointsBalance" ADD CONSTRAINT "PointsBalance_organizationId_fkey" FOREIGN KEY ("organizationId") REFERENCES "Organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "PointsBalance" ADD CONSTRAINT "PointsBalance_earnerId_fkey" FOREIGN KEY ("earnerId") REFERENCES "Earner"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Membership" ADD CONSTRAINT "Membership_organizationId_fkey" FOREIGN KEY ("organizationId") REFERENCES "Organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Membership" ADD CONSTRAINT "Membership_earnerId_fkey" FOREIGN KEY ("earnerId") REFERENCES "Earner"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Action" ADD CONSTRAINT "Action_organizationId_fkey" FOREIGN KEY ("organizationId") REFERENCES "Organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Action" ADD CONSTRAINT "Action_earnerId_fkey" FOREIGN KEY ("earnerId") REFERENCES "Earner"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AwardRule" ADD CONSTRAINT "AwardRule_organizationId_fkey" FOREIGN KEY ("organizationId") REFERENCES "Organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AwardRule" ADD CONSTRAINT "AwardRule_templateId_fkey" FOREIGN KEY ("templateId") REFERENCES "BadgeTemplate"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AutomationJob" ADD CONSTRAINT "AutomationJob_organizationId_fkey" FOREIGN KEY ("organizationId") REFERENCES "Organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AutomationJob" ADD CONSTRAINT "AutomationJob_templateId_fkey" FOREIGN KEY ("templateId") REFERENCES "BadgeTemplate"("id") ON DELETE CASCADE ON UPDATE CASCADE;
