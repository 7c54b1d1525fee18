-- CreateTable
CREATE TABLE "PointsEntry" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "organizationId" TEXT NOT NULL,
    "earnerId" TEXT NOT NULL,
    "category" TEXT NOT NULL,
    "amount" INTEGER NOT NULL,
    "balanceAfter" INTEGER NOT NULL,
    "reason" TEXT,
    "source" TEXT,
    "idempotencyKey" TEXT,
    "idempotencyHash" TEXT,
    "at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "PointsEntry_organizationId_fkey" FOREIGN KEY ("organizationId") REFERENCES "Organization" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "PointsEntry_earnerId_fkey" FOREIGN KEY ("earnerId") REFERENCES "Earner" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "PointsBalance" (
    "organizationId" TEXT NOT NULL,
    "earnerId" TEXT NOT NULL,
    "category" TEXT NOT NULL,
    "balance" INTEGER NOT NULL,
    "updatedAt" DATETIME NOT NULL,

    PRIMARY KEY ("earnerId", "category"),
    CONSTRAINT "PointsBalance_organizationId_fkey" FOREIGN KEY ("organizationId") REFERENCES "Organization" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "PointsBalance_earnerId_fkey" FOREIGN KEY ("earnerId") REFERENCES "Earner" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "Membership" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "organizationId" TEXT NOT NULL,
    "earnerId" TEXT NOT NULL,
    "productId" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'ACTIVE',
    "startedAt" DATETIME NOT NULL,
    "endsAt" DATETIME,
    "endedAt" DATETIME,
    "endReason" TEXT,
    "activeKey" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "Membership_organizationId_fkey" FOREIGN KEY ("organizationId") REFERENCES "Organization" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "Membership_earnerId_fkey" FOREIGN KEY ("earnerId") REFERENCES "Earner" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "Action" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "organizationId" TEXT NOT NULL,
    "earnerId" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "occurredAt" DATETIME NOT NULL,
    "metadata" JSONB,
    "idempotencyKey" TEXT,
    "idempotencyHash" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "Action_organizationId_fkey" FOREIGN KEY ("organizationId") REFERENCES "Organization" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "Action_earnerId_fkey" FOREIGN KEY ("earnerId") REFERENCES "Earner" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "AwardRule" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "organizationId" TEXT NOT NULL,
    "templateId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "pointsCategory" TEXT,
    "pointsThreshold" INTEGER,
    "productIds" JSONB,
    "actionType" TEXT,
    "actionMinCount" INTEGER,
    "actionWindowDays" INTEGER,
    "revision" INTEGER NOT NULL DEFAULT 1,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "AwardRule_organizationId_fkey" FOREIGN KEY ("organizationId") REFERENCES "Organization" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "AwardRule_templateId_fkey" FOREIGN KEY ("templateId") REFERENCES "BadgeTemplate" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "AutomationJob" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "organizationId" TEXT NOT NULL,
    "templateId" TEXT NOT NULL,
    "ruleRevision" INTEGER NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'QUEUED',
    "totalEarners" INTEGER NOT NULL DEFAULT 0,
    "processed" INTEGER NOT NULL DEFAULT 0,
    "awarded" INTEGER NOT NULL DEFAULT 0,
    "restored" INTEGER NOT NULL DEFAULT 0,
    "revoked" INTEGER NOT NULL DEFAULT 0,
    "cursor" TEXT,
    "error" TEXT,
    "claimedBy" TEXT,
    "claimedUntil" DATETIME,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "startedAt" DATETIME,
    "finishedAt" DATETIME,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "AutomationJob_organizationId_fkey" FOREIGN KEY ("organizationId") REFERENCES "Organization" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "AutomationJob_templateId_fkey" FOREIGN KEY ("templateId") REFERENCES "BadgeTemplate" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Award" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "organizationId" TEXT NOT NULL,
    "templateId" TEXT NOT NULL,
    "templateVersionNumber" INTEGER NOT NULL,
    "earnerId" TEXT NOT NULL,
    "recipientName" TEXT NOT NULL,
    "recipientNameLower" TEXT NOT NULL,
    "recipientFirstName" TEXT,
    "recipientLastName" TEXT,
    "recipientEmail" TEXT NOT NULL,
    "recipientEmailLower" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'PENDING',
    "imported" BOOLEAN NOT NULL DEFAULT false,
    "imageUrl" TEXT,
    "imageHighResolutionUrl" TEXT,
    "imageThumbnailUrl" TEXT,
    "activityTitle" TEXT,
    "activityStartedAt" DATETIME,
    "activityEndedAt" DATETIME,
    "notes" TEXT,
    "additionalDetails" JSONB,
    "publicId" TEXT NOT NULL,
    "issuedAt" DATETIME NOT NULL,
    "expiresAt" DATETIME,
    "acceptedAt" DATETIME,
    "rejectedAt" DATETIME,
    "revokedAt" DATETIME,
    "revokedReason" TEXT,
    "legacyId" TEXT,
    "idempotencyKey" TEXT,
    "idempotencyHash" TEXT,
    "onceHoldKey" TEXT,
    "source" TEXT NOT NULL DEFAULT 'MANUAL',
    "automationKey" TEXT,
    "automationLevel" INTEGER,
    "automationKind" TEXT,
    "automationRevoked" BOOLEAN NOT NULL DEFAULT false,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "Award_organizationId_fkey" FOREIGN KEY ("organizationId") REFERENCES "Organization" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "Award_templateId_fkey" FOREIGN KEY ("templateId") REFERENCES "BadgeTemplate" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "Award_templateId_templateVersionNumber_fkey" FOREIGN KEY ("templateId", "templateVersionNumber") REFERENCES "BadgeTemplateVersion" ("templateId", "version") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "Award_earnerId_fkey" FOREIGN KEY ("earnerId") REFERENCES "Earner" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_Award" ("acceptedAt", "activityEndedAt", "activityStartedAt", "activityTitle", "additionalDetails", "createdAt", "earnerId", "expiresAt", "id", "idempotencyHash", "idempotencyKey", "imageHighResolutionUrl", "imageThumbnailUrl", "imageUrl", "imported", "issuedAt", "legacyId", "notes", "onceHoldKey", "organizationId", "publicId", "recipientEmail", "recipientEmailLower", "recipientFirstName", "recipientLastName", "recipientName", "recipientNameLower", "rejectedAt", "revokedAt", "revokedReason", "status", "templateId", "templateVersionNumber", "updatedAt") SELECT "acceptedAt", "activityEndedAt", "activityStartedAt", "activityTitle", "additionalDetails", "createdAt", "earnerId", "expiresAt", "id", "idempotencyHash", "idempotencyKey", "imageHighResolutionUrl", "imageThumbnailUrl", "imageUrl", "imported", "issuedAt", "legacyId", "notes", "onceHoldKey", "organizationId", "publicId", "recipientEmail", "recipientEmailLower", "recipientFirstName", "recipientLastName", "recipientName", "recipientNameLower", "rejectedAt", "revokedAt", "revokedReason", "status", "templateId", "templateVersionNumber", "updatedAt" FROM "Award";
DROP TABLE "Award";
ALTER TABLE "new_Award" RENAME TO "Award";
CREATE UNIQUE INDEX "Award_publicId_key" ON "Award"("publicId");
CREATE UNIQUE INDEX "Award_onceHoldKey_key" ON "Award"("onceHoldKey");
CREATE UNIQUE INDEX "Award_automationKey_key" ON "Award"("automationKey");
CREATE INDEX "Award_organizationId_issuedAt_id_idx" ON "Award"("organizationId", "issuedAt", "id");
CREATE INDEX "Award_organizationId_recipientNameLower_id_idx" ON "Award"("organizationId", "recipientNameLower", "id");
CREATE INDEX "Award_templateId_issuedAt_id_idx" ON "Award"("templateId", "issuedAt", "id");
CREATE INDEX "Award_earnerId_issuedAt_id_idx" ON "Award"("earnerId", "issuedAt", "id");
CREATE INDEX "Award_organizationId_status_idx" ON "Award"("organizationId", "status");
CREATE INDEX "Award_status_expiresAt_idx" ON "Award"("status", "expiresAt");
CREATE INDEX "Award_organizationId_legacyId_idx" ON "Award"("organizationId", "legacyId");
CREATE INDEX "Award_templateId_templateVersionNumber_idx" ON "Award"("templateId", "templateVersionNumber");
CREATE UNIQUE INDEX "Award_organizationId_idempotencyKey_key" ON "Award"("organizationId", "idempotencyKey");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

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
