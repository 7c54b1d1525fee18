-- CreateEnum
CREATE TYPE "AwardChangeOrigin" AS ENUM ('MANUAL', 'AUTOMATION', 'EXPIRY');

-- DropIndex
DROP INDEX "AwardHistoryEntry_awardId_at_id_idx";

-- AlterTable
ALTER TABLE "Award" ADD COLUMN     "revision" INTEGER NOT NULL DEFAULT 1;

-- AlterTable
ALTER TABLE "AwardHistoryEntry" ADD COLUMN     "origin" "AwardChangeOrigin" NOT NULL DEFAULT 'MANUAL',
ADD COLUMN     "sequence" INTEGER,
ADD COLUMN     "triggeredByApiKeyId" TEXT;

-- Existing entries are numbered in the order of their times. Entries made by rules (their reason starts
-- with "Automation") and expiries get their origin, and such an entry its key as the trigger.
UPDATE "AwardHistoryEntry" h SET "sequence" = n."sequence"
FROM (SELECT "id", ROW_NUMBER() OVER (PARTITION BY "awardId" ORDER BY "at", "id") AS "sequence" FROM "AwardHistoryEntry") n
WHERE h."id" = n."id";
UPDATE "AwardHistoryEntry" SET "origin" = 'AUTOMATION', "triggeredByApiKeyId" = "actorApiKeyId", "actorApiKeyId" = NULL
WHERE "reason" LIKE 'Automation%';
UPDATE "AwardHistoryEntry" SET "origin" = 'EXPIRY' WHERE "action" = 'EXPIRED';
ALTER TABLE "AwardHistoryEntry" ALTER COLUMN "sequence" SET NOT NULL;
UPDATE "Award" a SET "revision" = c."entries"
FROM (SELECT "awardId", COUNT(*) AS "entries" FROM "AwardHistoryEntry" GROUP BY "awardId") c
WHERE a."id" = c."awardId";

-- CreateIndex
CREATE UNIQUE INDEX "AwardHistoryEntry_awardId_sequence_key" ON "AwardHistoryEntry"("awardId", "sequence");

-- AddForeignKey
ALTER TABLE "AwardHistoryEntry" ADD CONSTRAINT "AwardHistoryEntry_triggeredByApiKeyId_fkey" FOREIGN KEY ("triggeredByApiKeyId") REFERENCES "ApiKey"("id") ON DELETE SET NULL ON UPDATE CASCADE;
