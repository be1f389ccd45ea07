-- AlterTable
ALTER TABLE "ExportAuditLog" ALTER COLUMN "metadata" SET DATA TYPE JSON;

