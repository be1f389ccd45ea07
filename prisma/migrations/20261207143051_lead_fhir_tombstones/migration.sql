-- CreateTable
CREATE TABLE "FhirTombstone" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "resourceType" TEXT NOT NULL,
    "fhirId" TEXT NOT NULL,
    "rowId" TEXT NOT NULL,
    "patientId" TEXT,
    "deletedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateIndex
CREATE INDEX "FhirTombstone_resourceType_rowId_idx" ON "FhirTombstone"("resourceType", "rowId");

-- CreateIndex
CREATE UNIQUE INDEX "FhirTombstone_resourceType_fhirId_key" ON "FhirTombstone"("resourceType", "fhirId");

