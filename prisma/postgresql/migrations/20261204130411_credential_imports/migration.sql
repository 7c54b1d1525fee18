-- AlterTable
ALTER TABLE "BadgeTemplate" ADD COLUMN     "sourceAchievementId" TEXT;

-- CreateIndex
CREATE UNIQUE INDEX "BadgeTemplate_organizationId_sourceAchievementId_key" ON "BadgeTemplate"("organizationId", "sourceAchievementId");
