-- AlterTable
ALTER TABLE "Organization" ADD COLUMN "brandColor" TEXT;
ALTER TABLE "Organization" ADD COLUMN "signatoryName" TEXT;
ALTER TABLE "Organization" ADD COLUMN "signatoryTitle" TEXT;

-- AlterTable
ALTER TABLE "BadgeTemplate" ADD COLUMN "signatoryName" TEXT;
ALTER TABLE "BadgeTemplate" ADD COLUMN "signatoryTitle" TEXT;
