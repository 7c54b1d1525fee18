-- AlterTable
ALTER TABLE "Award" ADD COLUMN "statusListIndex" INTEGER;

-- CreateTable
CREATE TABLE "CredentialKey" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "organizationId" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "generation" INTEGER NOT NULL,
    "fragment" TEXT NOT NULL,
    "publicKey" TEXT NOT NULL,
    "secretKey" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "retiredAt" DATETIME,
    CONSTRAINT "CredentialKey_organizationId_fkey" FOREIGN KEY ("organizationId") REFERENCES "Organization" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "AwardCredential" (
    "awardId" TEXT NOT NULL PRIMARY KEY,
    "organizationId" TEXT NOT NULL,
    "contentHash" TEXT NOT NULL,
    "signed" TEXT NOT NULL,
    "signedAt" DATETIME NOT NULL,
    CONSTRAINT "AwardCredential_awardId_fkey" FOREIGN KEY ("awardId") REFERENCES "Award" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "AwardCredential_organizationId_fkey" FOREIGN KEY ("organizationId") REFERENCES "Organization" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "DeletedAward" (
    "publicId" TEXT NOT NULL PRIMARY KEY,
    "organizationId" TEXT NOT NULL,
    "statusListIndex" INTEGER,
    "deletedAt" DATETIME NOT NULL,
    CONSTRAINT "DeletedAward_organizationId_fkey" FOREIGN KEY ("organizationId") REFERENCES "Organization" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Organization" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "name" TEXT NOT NULL,
    "url" TEXT,
    "contactEmail" TEXT,
    "imageUrl" TEXT,
    "whitelabelHost" TEXT,
    "timeZone" TEXT NOT NULL DEFAULT 'UTC',
    "nextStatusListIndex" INTEGER NOT NULL DEFAULT 0,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);
INSERT INTO "new_Organization" ("contactEmail", "createdAt", "id", "imageUrl", "name", "timeZone", "updatedAt", "url", "whitelabelHost") SELECT "contactEmail", "createdAt", "id", "imageUrl", "name", "timeZone", "updatedAt", "url", "whitelabelHost" FROM "Organization";
DROP TABLE "Organization";
ALTER TABLE "new_Organization" RENAME TO "Organization";
CREATE UNIQUE INDEX "Organization_whitelabelHost_key" ON "Organization"("whitelabelHost");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

-- CreateIndex
CREATE UNIQUE INDEX "CredentialKey_organizationId_type_generation_key" ON "CredentialKey"("organizationId", "type", "generation");

-- CreateIndex
CREATE INDEX "AwardCredential_organizationId_idx" ON "AwardCredential"("organizationId");

-- CreateIndex
CREATE INDEX "DeletedAward_organizationId_statusListIndex_idx" ON "DeletedAward"("organizationId", "statusListIndex");

-- CreateIndex
CREATE UNIQUE INDEX "Award_organizationId_statusListIndex_key" ON "Award"("organizationId", "statusListIndex");
