-- CreateEnum
CREATE TYPE "EngagementKind" AS ENUM ('VIEW', 'SHARE', 'DOWNLOAD', 'LINKEDIN_ADD');

-- CreateTable
CREATE TABLE "EngagementCount" (
    "organizationId" TEXT NOT NULL,
    "awardId" TEXT NOT NULL,
    "kind" "EngagementKind" NOT NULL,
    "network" TEXT NOT NULL,
    "count" INTEGER NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "EngagementCount_pkey" PRIMARY KEY ("awardId","kind","network")
);

-- CreateTable
CREATE TABLE "EngagementSeen" (
    "awardId" TEXT NOT NULL,
    "kind" "EngagementKind" NOT NULL,
    "network" TEXT NOT NULL,
    "addressHash" TEXT NOT NULL,
    "lastCountedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "EngagementSeen_pkey" PRIMARY KEY ("awardId","kind","network","addressHash")
);

-- CreateIndex
CREATE INDEX "EngagementCount_organizationId_idx" ON "EngagementCount"("organizationId");

-- CreateIndex
CREATE INDEX "PointsBalance_organizationId_category_balance_earnerId_idx" ON "PointsBalance"("organizationId", "category", "balance" DESC, "earnerId");

-- AddForeignKey
ALTER TABLE "EngagementCount" ADD CONSTRAINT "EngagementCount_organizationId_fkey" FOREIGN KEY ("organizationId") REFERENCES "Organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "EngagementCount" ADD CONSTRAINT "EngagementCount_awardId_fkey" FOREIGN KEY ("awardId") REFERENCES "Award"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "EngagementSeen" ADD CONSTRAINT "EngagementSeen_awardId_fkey" FOREIGN KEY ("awardId") REFERENCES "Award"("id") ON DELETE CASCADE ON UPDATE CASCADE;
