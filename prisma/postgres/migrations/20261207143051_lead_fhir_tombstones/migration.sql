-- CreateTable
CREATE TABLE "FhirTombstone" (
    "id" TEXT NOT NULL,
    "resourceType" TEXT NOT NULL,
    "fhirId" TEXT NOT NULL,
    "rowId" TEXT NOT NULL,
    "patientId" TEXT,
    "deletedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "FhirTombstone_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "FhirTombstone_resourceType_rowId_idx" ON "FhirTombstone"("resourceType", "rowId");

-- CreateIndex
CREATE UNIQUE INDEX "FhirTombstone_resourceType_fhirId_key" ON "FhirTombstone"("resourceType", "fhirId");

