-- AlterTable
ALTER TABLE "ExportJob" ADD COLUMN     "payloadVersion" INTEGER NOT NULL DEFAULT 1,
ADD COLUMN     "uniqueKey" TEXT;

-- CreateIndex
CREATE UNIQUE INDEX "ExportJob_uniqueKey_key" ON "ExportJob"("uniqueKey");

