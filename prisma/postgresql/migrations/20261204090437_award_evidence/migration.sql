-- AlterTable
ALTER TABLE "Award" ADD COLUMN     "evidence" JSONB;
