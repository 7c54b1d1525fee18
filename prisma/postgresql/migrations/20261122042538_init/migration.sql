-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateEnum
CREATE TYPE "BadgeTemplateState" AS ENUM ('DRAFT', 'ACTIVE', 'ARCHIVED');

-- CreateEnum
CREATE TYPE "AwardMode" AS ENUM ('ONCE', 'REPEATABLE');

-- CreateEnum
CREATE TYPE "BadgeLevel" AS ENUM ('NONE', 'BRONZE', 'SILVER', 'GOLD');

-- CreateEnum
CREATE TYPE "AwardStatus" AS ENUM ('PENDING', 'ACCEPTED', 'REJECTED', 'REVOKED', 'EXPIRED');

-- CreateEnum
CREATE TYPE "AwardAction" AS ENUM ('ISSUED', 'ACCEPTED', 'REJECTED', 'REVOKED', 'RESTORED', 'EXPIRED', 'UPDATED');

-- CreateTable
CREATE TABLE "Organization" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "url" TEXT,
    "contactEmail" TEXT,
    "imageUrl" TEXT,
    "whitelabelHost" TEXT,
    "timeZone" TEXT NOT NULL DEFAULT 'UTC',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Organization_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ApiKey" (
    "id" TEXT NOT NULL,
    "organizationId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "prefix" TEXT NOT NULL,
    "secretHash" TEXT NOT NULL,
    "permissions" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastUsedAt" TIMESTAMP(3),
    "revokedAt" TIMESTAMP(3),

    CONSTRAINT "ApiKey_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "BadgeTemplate" (
    "id" TEXT NOT NULL,
    "organizationId" TEXT NOT NULL,
    "state" "BadgeTemplateState" NOT NULL DEFAULT 'DRAFT',
    "awardMode" "AwardMode" NOT NULL DEFAULT 'ONCE',
    "validityDays" INTEGER,
    "version" INTEGER NOT NULL DEFAULT 1,
    "name" TEXT NOT NULL,
    "description" TEXT NOT NULL,
    "criteriaNarrative" TEXT,
    "criteriaUrl" TEXT,
    "imageUrl" TEXT,
    "imageHighResolutionUrl" TEXT,
    "imageThumbnailUrl" TEXT,
    "level" "BadgeLevel" NOT NULL DEFAULT 'NONE',
    "searchText" TEXT NOT NULL,
    "activatedAt" TIMESTAMP(3),
    "archivedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "BadgeTemplate_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "BadgeTemplateVersion" (
    "id" TEXT NOT NULL,
    "organizationId" TEXT NOT NULL,
    "templateId" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT NOT NULL,
    "criteriaNarrative" TEXT,
    "criteriaUrl" TEXT,
    "imageUrl" TEXT,
    "imageHighResolutionUrl" TEXT,
    "imageThumbnailUrl" TEXT,
    "level" "BadgeLevel" NOT NULL,
    "tags" JSONB NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "BadgeTemplateVersion_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "BadgeTemplateTag" (
    "organizationId" TEXT NOT NULL,
    "templateId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "nameLower" TEXT NOT NULL,
    "position" INTEGER NOT NULL,

    CONSTRAINT "BadgeTemplateTag_pkey" PRIMARY KEY ("templateId","nameLower")
);

-- CreateTable
CREATE TABLE "Earner" (
    "id" TEXT NOT NULL,
    "organizationId" TEXT NOT NULL,
    "email" TEXT NOT NULL,
    "emailLower" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "nameLower" TEXT NOT NULL,
    "firstName" TEXT,
    "lastName" TEXT,
    "externalId" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Earner_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Award" (
    "id" TEXT NOT NULL,
    "organizationId" TEXT NOT NULL,
    "templateId" TEXT NOT NULL,
    "templateVersionNumber" INTEGER NOT NULL,
    "earnerId" TEXT NOT NULL,
    "recipientName" TEXT NOT NULL,
    "recipientNameLower" TEXT NOT NULL,
    "recipientFirstName" TEXT,
    "recipientLastName" TEXT,
    "recipientEmail" TEXT NOT NULL,
    "recipientEmailLower" TEXT NOT NULL,
    "status" "AwardStatus" NOT NULL DEFAULT 'PENDING',
    "imported" BOOLEAN NOT NULL DEFAULT false,
    "imageUrl" TEXT,
    "imageHighResolutionUrl" TEXT,
    "imageThumbnailUrl" TEXT,
    "activityTitle" TEXT,
    "activityStartedAt" TIMESTAMP(3),
    "activityEndedAt" TIMESTAMP(3),
    "notes" TEXT,
    "additionalDetails" JSONB,
    "publicId" TEXT NOT NULL,
    "issuedAt" TIMESTAMP(3) NOT NULL,
    "expiresAt" TIMESTAMP(3),
    "acceptedAt" TIMESTAMP(3),
    "rejectedAt" TIMESTAMP(3),
    "revokedAt" TIMESTAMP(3),
    "revokedReason" TEXT,
    "legacyId" TEXT,
    "idempotencyKey" TEXT,
    "idempotencyHash" TEXT,
    "onceHoldKey" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Award_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AwardHistoryEntry" (
    "id" TEXT NOT NULL,
    "organizationId" TEXT NOT NULL,
    "awardId" TEXT NOT NULL,
    "action" "AwardAction" NOT NULL,
    "reason" TEXT,
    "actorApiKeyId" TEXT,
    "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "AwardHistoryEntry_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "SystemSetting" (
    "key" TEXT NOT NULL,
    "value" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "SystemSetting_pkey" PRIMARY KEY ("key")
);

-- CreateIndex
CREATE UNIQUE INDEX "Organization_whitelabelHost_key" ON "Organization"("whitelabelHost");

-- CreateIndex
CREATE UNIQUE INDEX "ApiKey_secretHash_key" ON "ApiKey"("secretHash");

-- CreateIndex
CREATE INDEX "ApiKey_organizationId_createdAt_id_idx" ON "ApiKey"("organizationId", "createdAt", "id");

-- CreateIndex
CREATE INDEX "BadgeTemplate_organizationId_createdAt_id_idx" ON "BadgeTemplate"("organizationId", "createdAt", "id");

-- CreateIndex
CREATE INDEX "BadgeTemplate_organizationId_name_id_idx" ON "BadgeTemplate"("organizationId", "name", "id");

-- CreateIndex
CREATE INDEX "BadgeTemplate_organizationId_state_idx" ON "BadgeTemplate"("organizationId", "state");

-- CreateIndex
CREATE INDEX "BadgeTemplateVersion_organizationId_idx" ON "BadgeTemplateVersion"("organizationId");

-- CreateIndex
CREATE UNIQUE INDEX "BadgeTemplateVersion_templateId_version_key" ON "BadgeTemplateVersion"("templateId", "version");

-- CreateIndex
CREATE INDEX "BadgeTemplateTag_organizationId_nameLower_idx" ON "BadgeTemplateTag"("organizationId", "nameLower");

-- CreateIndex
CREATE INDEX "Earner_organizationId_createdAt_id_idx" ON "Earner"("organizationId", "createdAt", "id");

-- CreateIndex
CREATE UNIQUE INDEX "Earner_organizationId_emailLower_key" ON "Earner"("organizationId", "emailLower");

-- CreateIndex
CREATE UNIQUE INDEX "Earner_organizationId_externalId_key" ON "Earner"("organizationId", "externalId");

-- CreateIndex
CREATE UNIQUE INDEX "Award_publicId_key" ON "Award"("publicId");

-- CreateIndex
CREATE UNIQUE INDEX "Award_onceHoldKey_key" ON "Award"("onceHoldKey");

-- CreateIndex
CREATE INDEX "Award_organizationId_issuedAt_id_idx" ON "Award"("organizationId", "issuedAt", "id");

-- CreateIndex
CREATE INDEX "Award_organizationId_recipientNameLower_id_idx" ON "Award"("organizationId", "recipientNameLower", "id");

-- CreateIndex
CREATE INDEX "Award_templateId_issuedAt_id_idx" ON "Award"("templateId", "issuedAt", "id");

-- CreateIndex
CREATE INDEX "Award_earnerId_issuedAt_id_idx" ON "Award"("earnerId", "issuedAt", "id");

-- CreateIndex
CREATE INDEX "Award_organizationId_status_idx" ON "Award"("organizationId", "status");

-- CreateIndex
CREATE INDEX "Award_organizationId_legacyId_idx" ON "Award"("organizationId", "legacyId");

-- CreateIndex
CREATE INDEX "Award_templateId_templateVersionNumber_idx" ON "Award"("templateId", "templateVersionNumber");

-- CreateIndex
CREATE UNIQUE INDEX "Award_organizationId_idempotencyKey_key" ON "Award"("organizationId", "idempotencyKey");

-- CreateIndex
CREATE INDEX "AwardHistoryEntry_awardId_at_id_idx" ON "AwardHistoryEntry"("awardId", "at", "id");

-- CreateIndex
CREATE INDEX "AwardHistoryEntry_organizationId_at_idx" ON "AwardHistoryEntry"("organizationId", "at");

-- AddForeignKey
ALTER TABLE "ApiKey" ADD CONSTRAINT "ApiKey_organizationId_fkey" FOREIGN KEY ("organizationId") REFERENCES "Organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "BadgeTemplate" ADD CONSTRAINT "BadgeTemplate_organizationId_fkey" FOREIGN KEY ("organizationId") REFERENCES "Organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "BadgeTemplateVersion" ADD CONSTRAINT "BadgeTemplateVersion_organizationId_fkey" FOREIGN KEY ("organizationId") REFERENCES "Organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "BadgeTemplateVersion" ADD CONSTRAINT "BadgeTemplateVersion_templateId_fkey" FOREIGN KEY ("templateId") REFERENCES "BadgeTemplate"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "BadgeTemplateTag" ADD CONSTRAINT "BadgeTemplateTag_organizationId_fkey" FOREIGN KEY ("organizationId") REFERENCES "Organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "BadgeTemplateTag" ADD CONSTRAINT "BadgeTemplateTag_templateId_fkey" FOREIGN KEY ("templateId") REFERENCES "BadgeTemplate"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Earner" ADD CONSTRAINT "Earner_organizationId_fkey" FOREIGN KEY ("organizationId") REFERENCES "Organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Award" ADD CONSTRAINT "Award_organizationId_fkey" FOREIGN KEY ("organizationId") REFERENCES "Organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Award" ADD CONSTRAINT "Award_templateId_fkey" FOREIGN KEY ("templateId") REFERENCES "BadgeTemplate"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Award" ADD CONSTRAINT "Award_templateId_templateVersionNumber_fkey" FOREIGN KEY ("templateId", "templateVersionNumber") REFERENCES "BadgeTemplateVersion"("templateId", "version") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Award" ADD CONSTRAINT "Award_earnerId_fkey" FOREIGN KEY ("earnerId") REFERENCES "Earner"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AwardHistoryEntry" ADD CONSTRAINT "AwardHistoryEntry_organizationId_fkey" FOREIGN KEY ("organizationId") REFERENCES "Organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AwardHistoryEntry" ADD CONSTRAINT "AwardHistoryEntry_awardId_fkey" FOREIGN KEY ("awardId") REFERENCES "Award"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AwardHistoryEntry" ADD CONSTRAINT "AwardHistoryEntry_actorApiKeyId_fkey" FOREIGN KEY ("actorApiKeyId") REFERENCES "ApiKey"("id") ON DELETE SET NULL ON UPDATE CASCADE;
