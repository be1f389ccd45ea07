-- DropIndex
DROP INDEX "ExportAuditLog_action_seq_idx";

-- DropIndex
DROP INDEX "ExportAuditLog_userId_seq_idx";

-- DropIndex
DROP INDEX "ExportAuditLog_userId_action_seq_idx";

-- DropIndex
DROP INDEX "ExportAuditLog_patientId_seq_idx";

-- DropIndex
DROP INDEX "ExportAuditLog_outcome_seq_idx";

-- CreateIndex
CREATE INDEX "ExportAuditLog_action_seq_createdAt_idx" ON "ExportAuditLog"("action", "seq", "createdAt");

-- CreateIndex
CREATE INDEX "ExportAuditLog_userId_seq_createdAt_idx" ON "ExportAuditLog"("userId", "seq", "createdAt");

-- CreateIndex
CREATE INDEX "ExportAuditLog_userId_action_seq_createdAt_idx" ON "ExportAuditLog"("userId", "action", "seq", "createdAt");

-- CreateIndex
CREATE INDEX "ExportAuditLog_patientId_seq_createdAt_idx" ON "ExportAuditLog"("patientId", "seq", "createdAt");

-- CreateIndex
CREATE INDEX "ExportAuditLog_outcome_seq_createdAt_idx" ON "ExportAuditLog"("outcome", "seq", "createdAt");

