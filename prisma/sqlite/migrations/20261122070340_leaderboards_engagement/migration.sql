-- CreateTable
CREATE TABLE "EngagementCount" (
    "organizationId" TEXT NOT NULL,
    "awardId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "network" TEXT NOT NULL,
    "count" INTEGER NOT NULL,
    "updatedAt" DATETIME NOT NULL,

    PRIMARY KEY ("awardId", "kind", "network"),
    CONSTRAINT "EngagementCount_organizationId_fkey" FOREIGN KEY ("organizationId") REFERENCES "Organization" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "EngagementCount_awardId_fkey" FOREIGN KEY ("awardId") REFERENCES "Award" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "EngagementSeen" (
    "awardId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "network" TEXT NOT NULL,
    "addressHash" TEXT NOT NULL,
    "lastCountedAt" DATETIME NOT NULL,

    PRIMARY KEY ("awardId", "kind", "network", "addressHash"),
    CONSTRAINT "EngagementSeen_awardId_fkey" FOREIGN KEY ("awardId") REFERENCES "Award" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateIndex
CREATE INDEX "EngagementCount_organizationId_idx" ON "EngagementCount"("organizationId");

-- CreateIndex
CREATE INDEX "PointsBalance_organizationId_category_balance_earnerId_idx" ON "PointsBalance"("organizationId", "category", "balance" DESC, "earnerId");
