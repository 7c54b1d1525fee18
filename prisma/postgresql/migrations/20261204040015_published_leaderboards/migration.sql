-- CreateTable
CREATE TABLE "PublishedLeaderboard" (
    "publicId" TEXT NOT NULL,
    "organizationId" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "board" JSONB NOT NULL,
    "first" INTEGER NOT NULL,
    "initialsOnly" BOOLEAN NOT NULL DEFAULT false,
    "publishedAt" TIMESTAMP(3) NOT NULL,
    "unpublishedAt" TIMESTAMP(3),

    CONSTRAINT "PublishedLeaderboard_pkey" PRIMARY KEY ("publicId")
);

-- CreateIndex
CREATE INDEX "PublishedLeaderboard_organizationId_publishedAt_idx" ON "PublishedLeaderboard"("organizationId", "publishedAt");

-- AddForeignKey
ALTER TABLE "PublishedLeaderboard" ADD CONSTRAINT "PublishedLeaderboard_organizationId_fkey" FOREIGN KEY ("organizationId") REFERENCES "Organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;
