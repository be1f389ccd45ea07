-- AlterTable
ALTER TABLE "ExportJob" ADD COLUMN     "firstPolledAt" TIMESTAMP(3);

