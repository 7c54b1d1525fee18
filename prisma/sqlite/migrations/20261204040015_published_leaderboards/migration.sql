-- CreateTable
CREATE TABLE "PublishedLeaderboard" (
    "publicId" TEXT NOT NULL PRIMARY KEY,
    "organizationId" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "board" JSONB NOT NULL,
    "first" INTEGER NOT NULL,
    "initialsOnly" BOOLEAN NOT NULL DEFAULT false,
    "publishedAt" DATETIME NOT NULL,
    "unpublishedAt" DATETIME,
    CONSTRAINT "PublishedLeaderboard_organizationId_fkey" FOREIGN KEY ("organizationId") REFERENCES "Organization" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateIndex
CREATE INDEX "PublishedLeaderboard_organizationId_publishedAt_idx" ON "PublishedLeaderboard"("organizationId", "publishedAt");
