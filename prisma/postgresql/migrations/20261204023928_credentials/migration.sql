-- CreateEnum
CREATE TYPE "CredentialKeyType" AS ENUM ('ED25519', 'RSA');

-- AlterTable
ALTER TABLE "Organization" ADD COLUMN     "nextStatusListIndex" INTEGER NOT NULL DEFAULT 0;

-- AlterTable
ALTER TABLE "Award" ADD COLUMN     "statusListIndex" INTEGER;

-- CreateTable
CREATE TABLE "CredentialKey" (
    "id" TEXT NOT NULL,
    "organizationId" TEXT NOT NULL,
    "type" "CredentialKeyType" NOT NULL,
    "generation" INTEGER NOT NULL,
    "fragment" TEXT NOT NULL,
    "publicKey" TEXT NOT NULL,
    "secretKey" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "retiredAt" TIMESTAMP(3),

    CONSTRAINT "CredentialKey_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AwardCredential" (
    "awardId" TEXT NOT NULL,
    "organizationId" TEXT NOT NULL,
    "contentHash" TEXT NOT NULL,
    "signed" TEXT NOT NULL,
    "signedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "AwardCredential_pkey" PRIMARY KEY ("awardId")
);

-- CreateTable
CREATE TABLE "DeletedAward" (
    "publicId" TEXT NOT NULL,
    "organizationId" TEXT NOT NULL,
    "statusListIndex" INTEGER,
    "deletedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "DeletedAward_pkey" PRIMARY KEY ("publicId")
);

-- CreateIndex
CREATE UNIQUE INDEX "CredentialKey_organizationId_type_generation_key" ON "CredentialKey"("organizationId", "type", "generation");

-- CreateIndex
CREATE INDEX "AwardCredential_organizationId_idx" ON "AwardCredential"("organizationId");

-- CreateIndex
CREATE INDEX "DeletedAward_organizationId_statusListIndex_idx" ON "DeletedAward"("organizationId", "statusListIndex");

-- CreateIndex
CREATE UNIQUE INDEX "Award_organizationId_statusListIndex_key" ON "Award"("organizationId", "statusListIndex");

-- AddForeignKey
ALTER TABLE "CredentialKey" ADD CONSTRAINT "CredentialKey_organizationId_fkey" FOREIGN KEY ("organizationId") REFERENCES "Organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AwardCredential" ADD CONSTRAINT "AwardCredential_awardId_fkey" FOREIGN KEY ("awardId") REFERENCES "Award"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AwardCredential" ADD CONSTRAINT "AwardCredential_organizationId_fkey" FOREIGN KEY ("organizationId") REFERENCES "Organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "DeletedAward" ADD CONSTRAINT "DeletedAward_organizationId_fkey" FOREIGN KEY ("organizationId") REFERENCES "Organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;
