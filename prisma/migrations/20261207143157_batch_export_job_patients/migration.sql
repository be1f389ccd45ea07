-- CreateTable
CREATE TABLE "ExportJobPatient" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "jobId" TEXT NOT NULL,
    "patientId" TEXT NOT NULL,
    "position" INTEGER NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "reason" TEXT,
    "fileName" TEXT,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "ExportJobPatient_jobId_fkey" FOREIGN KEY ("jobId") REFERENCES "ExportJob" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateIndex
CREATE INDEX "ExportJobPatient_jobId_position_idx" ON "ExportJobPatient"("jobId", "position");

-- CreateIndex
CREATE UNIQUE INDEX "ExportJobPatient_jobId_patientId_key" ON "ExportJobPatient"("jobId", "patientId");

