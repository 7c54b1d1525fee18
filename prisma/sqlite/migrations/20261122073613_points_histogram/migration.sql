-- CreateTable
CREATE TABLE "PointsHistogram" (
    "organizationId" TEXT NOT NULL,
    "category" TEXT NOT NULL,
    "level" INTEGER NOT NULL,
    "bucket" INTEGER NOT NULL,
    "earners" INTEGER NOT NULL,

    PRIMARY KEY ("organizationId", "category", "level", "bucket"),
    CONSTRAINT "PointsHistogram_organizationId_fkey" FOREIGN KEY ("organizationId") REFERENCES "Organization" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- Backfill: the histogram of the balances that already exist (floor division, negatives included).
INSERT INTO "PointsHistogram" ("organizationId", "category", "level", "bucket", "earners")
SELECT "organizationId", "category", 0, "balance", COUNT(*) FROM "PointsBalance" GROUP BY "organizationId", "category", "balance";
INSERT INTO "PointsHistogram" ("organizationId", "category", "level", "bucket", "earners")
SELECT "organizationId", "category", 1, ("balance" - (("balance" % 1024) + 1024) % 1024) / 1024 AS "bucket", COUNT(*)
FROM "PointsBalance" GROUP BY "organizationId", "category", ("balance" - (("balance" % 1024) + 1024) % 1024) / 1024;
