-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_ExportJob" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "kind" TEXT NOT NULL,
    "exportType" TEXT NOT NULL,
    "format" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'PENDING',
    "userId" TEXT NOT NULL,
    "patientId" TEXT,
    "templateId" TEXT,
    "scheduledReportId" TEXT,
    "parameters" JSONB NOT NULL,
    "payloadVersion" INTEGER NOT NULL DEFAULT 1,
    "uniqueKey" TEXT,
    "progress" JSONB,
    "progressPercent" INTEGER NOT NULL DEFAULT 0,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "maxAttempts" INTEGER NOT NULL DEFAULT 3,
    "runAfter" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "leaseOwner" TEXT,
    "leaseExpiresAt" DATETIME,
    "fileKey" TEXT,
    "fileName" TEXT,
    "mimeType" TEXT,
    "fileSize" INTEGER,
    "checksum" TEXT,
    "errorMessage" TEXT,
    "requestMeta" JSONB,
    "firstPolledAt" DATETIME,
    "startedAt" DATETIME,
    "completedAt" DATETIME,
    "expiresAt" DATETIME,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "ExportJob_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "ExportJob_templateId_fkey" FOREIGN KEY ("templateId") REFERENCES "ExportTemplate" ("id") ON DELETE SET NULL ON UPDATE CASCADE,
    CONSTRAINT "ExportJob_scheduledReportId_fkey" FOREIGN KEY ("scheduledReportId") REFERENCES "ScheduledReport" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);
INSERT INTO "new_ExportJob" ("attempts", "checksum", "completedAt", "createdAt", "errorMessage", "expiresAt", "exportType", "fileKey", "fileName", "fileSize", "firstPolledAt", "format", "id", "kind", "leaseExpiresAt", "leaseOwner", "maxAttempts", "mimeType", "parameters", "patientId", "progress", "progressPercent", "requestMeta", "runAfter", "scheduledReportId", "startedAt", "status", "templateId", "updatedAt", "userId") SELECT "attempts", "checksum", "completedAt", "createdAt", "errorMessage", "expiresAt", "exportType", "fileKey", "fileName", "fileSize", "firstPolledAt", "format", "id", "kind", "leaseExpiresAt", "leaseOwner", "maxAttempts", "mimeType", "parameters", "patientId", "progress", "progressPercent", "requestMeta", "runAfter", "scheduledReportId", "startedAt", "status", "templateId", "updatedAt", "userId" FROM "ExportJob";
DROP TABLE "ExportJob";
ALTER TABLE "new_ExportJob" RENAME TO "ExportJob";
CREATE UNIQUE INDEX "ExportJob_uniqueKey_key" ON "ExportJob"("uniqueKey");
CREATE INDEX "ExportJob_status_runAfter_idx" ON "ExportJob"("status", "runAfter");
CREATE INDEX "ExportJob_userId_createdAt_idx" ON "ExportJob"("userId", "createdAt");
CREATE INDEX "ExportJob_patientId_idx" ON "ExportJob"("patientId");
CREATE INDEX "ExportJob_expiresAt_idx" ON "ExportJob"("expiresAt");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

