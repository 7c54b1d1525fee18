-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
-- The revision of an existing award is the number of entries its history already holds.
ALTER TABLE "Award" ADD COLUMN "revision" INTEGER NOT NULL DEFAULT 1;
UPDATE "Award" SET "revision" = (SELECT COUNT(*) FROM "AwardHistoryEntry" h WHERE h."awardId" = "Award"."id")
WHERE EXISTS (SELECT 1 FROM "AwardHistoryEntry" h WHERE h."awardId" = "Award"."id");
CREATE TABLE "new_AwardHistoryEntry" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "organizationId" TEXT NOT NULL,
    "awardId" TEXT NOT NULL,
    "sequence" INTEGER NOT NULL,
    "action" TEXT NOT NULL,
    "reason" TEXT,
    "origin" TEXT NOT NULL DEFAULT 'MANUAL',
    "actorApiKeyId" TEXT,
    "triggeredByApiKeyId" TEXT,
    "at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "AwardHistoryEntry_organizationId_fkey" FOREIGN KEY ("organizationId") REFERENCES "Organization" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "AwardHistoryEntry_awardId_fkey" FOREIGN KEY ("awardId") REFERENCES "Award" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "AwardHistoryEntry_actorApiKeyId_fkey" FOREIGN KEY ("actorApiKeyId") REFERENCES "ApiKey" ("id") ON DELETE SET NULL ON UPDATE CASCADE,
    CONSTRAINT "AwardHistoryEntry_triggeredByApiKeyId_fkey" FOREIGN KEY ("triggeredByApiKeyId") REFERENCES "ApiKey" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);
-- Existing entries are numbered in the order of their times. Entries made by rules (their reason starts
-- with "Automation") and expiries get their origin, and such an entry its key as the trigger.
INSERT INTO "new_AwardHistoryEntry" ("action", "actorApiKeyId", "triggeredByApiKeyId", "origin", "sequence", "at", "awardId", "id", "organizationId", "reason")
SELECT "action",
  CASE WHEN "reason" LIKE 'Automation%' THEN NULL ELSE "actorApiKeyId" END,
  CASE WHEN "reason" LIKE 'Automation%' THEN "actorApiKeyId" ELSE NULL END,
  CASE WHEN "reason" LIKE 'Automation%' THEN 'AUTOMATION' WHEN "action" = 'EXPIRED' THEN 'EXPIRY' ELSE 'MANUAL' END,
  ROW_NUMBER() OVER (PARTITION BY "awardId" ORDER BY "at", "id"),
  "at", "awardId", "id", "organizationId", "reason"
FROM "AwardHistoryEntry";
DROP TABLE "AwardHistoryEntry";
ALTER TABLE "new_AwardHistoryEntry" RENAME TO "AwardHistoryEntry";
CREATE INDEX "AwardHistoryEntry_organizationId_at_idx" ON "AwardHistoryEntry"("organizationId", "at");
CREATE UNIQUE INDEX "AwardHistoryEntry_awardId_sequence_key" ON "AwardHistoryEntry"("awardId", "sequence");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;
