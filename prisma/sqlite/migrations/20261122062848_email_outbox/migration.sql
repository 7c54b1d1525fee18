-- CreateTable
CREATE TABLE "EmailMessage" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "organizationId" TEXT NOT NULL,
    "awardId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "recipients" JSONB NOT NULL,
    "subject" TEXT,
    "message" TEXT,
    "senderName" TEXT,
    "status" TEXT NOT NULL DEFAULT 'QUEUED',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "nextAttemptAt" DATETIME NOT NULL,
    "claimedBy" TEXT,
    "claimedUntil" DATETIME,
    "lastError" TEXT,
    "messageId" TEXT,
    "sentAt" DATETIME,
    "failedAt" DATETIME,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "EmailMessage_organizationId_fkey" FOREIGN KEY ("organizationId") REFERENCES "Organization" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "EmailMessage_awardId_fkey" FOREIGN KEY ("awardId") REFERENCES "Award" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_BadgeTemplate" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "organizationId" TEXT NOT NULL,
    "state" TEXT NOT NULL DEFAULT 'DRAFT',
    "awardMode" TEXT NOT NULL DEFAULT 'ONCE',
    "validityDays" INTEGER,
    "version" INTEGER NOT NULL DEFAULT 1,
    "name" TEXT NOT NULL,
    "description" TEXT NOT NULL,
    "criteriaNarrative" TEXT,
    "criteriaUrl" TEXT,
    "imageUrl" TEXT,
    "imageHighResolutionUrl" TEXT,
    "imageThumbnailUrl" TEXT,
    "level" TEXT NOT NULL DEFAULT 'NONE',
    "emailOnIssue" BOOLEAN NOT NULL DEFAULT false,
    "searchText" TEXT NOT NULL,
    "activatedAt" DATETIME,
    "archivedAt" DATETIME,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "BadgeTemplate_organizationId_fkey" FOREIGN KEY ("organizationId") REFERENCES "Organization" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_BadgeTemplate" ("activatedAt", "archivedAt", "awardMode", "createdAt", "criteriaNarrative", "criteriaUrl", "description", "id", "imageHighResolutionUrl", "imageThumbnailUrl", "imageUrl", "level", "name", "organizationId", "searchText", "state", "updatedAt", "validityDays", "version") SELECT "activatedAt", "archivedAt", "awardMode", "createdAt", "criteriaNarrative", "criteriaUrl", "description", "id", "imageHighResolutionUrl", "imageThumbnailUrl", "imageUrl", "level", "name", "organizationId", "searchText", "state", "updatedAt", "validityDays", "version" FROM "BadgeTemplate";
DROP TABLE "BadgeTemplate";
ALTER TABLE "new_BadgeTemplate" RENAME TO "BadgeTemplate";
CREATE INDEX "BadgeTemplate_organizationId_createdAt_id_idx" ON "BadgeTemplate"("organizationId", "createdAt", "id");
CREATE INDEX "BadgeTemplate_organizationId_name_id_idx" ON "BadgeTemplate"("organizationId", "name", "id");
CREATE INDEX "BadgeTemplate_organizationId_state_idx" ON "BadgeTemplate"("organizationId", "state");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

-- CreateIndex
CREATE INDEX "EmailMessage_status_nextAttemptAt_idx" ON "EmailMessage"("status", "nextAttemptAt");

-- CreateIndex
CREATE INDEX "EmailMessage_organizationId_createdAt_id_idx" ON "EmailMessage"("organizationId", "createdAt", "id");

-- CreateIndex
CREATE INDEX "EmailMessage_awardId_createdAt_idx" ON "EmailMessage"("awardId", "createdAt");
