-- CreateTable
CREATE TABLE "FhirSource" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "name" TEXT NOT NULL,
    "baseUrl" TEXT NOT NULL,
    "authType" TEXT NOT NULL,
    "encryptedSecret" TEXT,
    "clientId" TEXT,
    "tokenUrl" TEXT,
    "scope" TEXT,
    "mode" TEXT NOT NULL DEFAULT 'auto',
    "resourceTypes" JSONB NOT NULL,
    "scheduleType" TEXT,
    "scheduleConfig" JSONB,
    "nextSyncAt" DATETIME,
    "isActive" BOOLEAN NOT NULL DEFAULT true,
    "createdById" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "FhirSourceSync" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "sourceId" TEXT NOT NULL,
    "jobId" TEXT,
    "status" TEXT NOT NULL,
    "trigger" TEXT NOT NULL,
    "method" TEXT,
    "since" DATETIME,
    "transactionTime" DATETIME,
    "resourceCount" INTEGER,
    "error" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "completedAt" DATETIME,
    CONSTRAINT "FhirSourceSync_sourceId_fkey" FOREIGN KEY ("sourceId") REFERENCES "FhirSource" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "FhirImportRecord" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "sourceKind" TEXT NOT NULL,
    "sourceLabel" TEXT NOT NULL,
    "fhirSourceId" TEXT,
    "userId" TEXT,
    "resourceCount" INTEGER NOT NULL,
    "counts" JSONB NOT NULL,
    "completedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateIndex
CREATE UNIQUE INDEX "FhirSource_name_key" ON "FhirSource"("name");

-- CreateIndex
CREATE INDEX "FhirSource_isActive_nextSyncAt_idx" ON "FhirSource"("isActive", "nextSyncAt");

-- CreateIndex
CREATE UNIQUE INDEX "FhirSourceSync_jobId_key" ON "FhirSourceSync"("jobId");

-- CreateIndex
CREATE INDEX "FhirSourceSync_sourceId_status_completedAt_idx" ON "FhirSourceSync"("sourceId", "status", "completedAt");

-- CreateIndex
CREATE INDEX "FhirImportRecord_sourceKind_sourceLabel_completedAt_idx" ON "FhirImportRecord"("sourceKind", "sourceLabel", "completedAt");

-- CreateIndex
CREATE INDEX "FhirImportRecord_completedAt_idx" ON "FhirImportRecord"("completedAt");

