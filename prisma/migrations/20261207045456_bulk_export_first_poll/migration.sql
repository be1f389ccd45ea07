-- AlterTable
ALTER TABLE "ExportJob" ADD COLUMN "firstPolledAt" DATETIME;

