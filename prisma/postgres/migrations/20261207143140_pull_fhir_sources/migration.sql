-- CreateTable
CREATE TABLE "FhirSource" (
    "id" TEXT NOT NULL,
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
    "nextSyncAt" TIMESTAMP(3),
    "isActive" BOOLEAN NOT NULL DEFAULT true,
    "createdById" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "FhirSource_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "FhirSourceSync" (
    "id" TEXT NOT NULL,
    "sourceId" TEXT NOT NULL,
    "jobId" TEXT,
    "status" TEXT NOT NULL,
    "trigger" TEXT NOT NULL,
    "method" TEXT,
    "since" TIMESTAMP(3),
    "transactionTime" TIMESTAMP(3),
    "resourceCount" INTEGER,
    "error" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "completedAt" TIMESTAMP(3),

    CONSTRAINT "FhirSourceSync_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "FhirImportRecord" (
    "id" TEXT NOT NULL,
    "sourceKind" TEXT NOT NULL,
    "sourceLabel" TEXT NOT NULL,
    "fhirSourceId" TEXT,
    "userId" TEXT,
    "resourceCount" INTEGER NOT NULL,
    "counts" JSONB NOT NULL,
    "completedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "FhirImportRecord_pkey" PRIMARY KEY ("id")
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

-- AddForeignKey
ALTER TABLE "FhirSourceSync" ADD CONSTRAINT "FhirSourceSync_sourceId_fkey" FOREIGN KEY ("sourceId") REFERENCES "FhirSource"("id") ON DELETE CASCADE ON UPDATE CASCADE;

