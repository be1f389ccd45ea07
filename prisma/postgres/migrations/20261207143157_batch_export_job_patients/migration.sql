-- CreateTable
CREATE TABLE "ExportJobPatient" (
    "id" TEXT NOT NULL,
    "jobId" TEXT NOT NULL,
    "patientId" TEXT NOT NULL,
    "position" INTEGER NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "reason" TEXT,
    "fileName" TEXT,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "ExportJobPatient_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "ExportJobPatient_jobId_position_idx" ON "ExportJobPatient"("jobId", "position");

-- CreateIndex
CREATE UNIQUE INDEX "ExportJobPatient_jobId_patientId_key" ON "ExportJobPatient"("jobId", "patientId");

-- AddForeignKey
ALTER TABLE "ExportJobPatient" ADD CONSTRAINT "ExportJobPatient_jobId_fkey" FOREIGN KEY ("jobId") REFERENCES "ExportJob"("id") ON DELETE CASCADE ON UPDATE CASCADE;

