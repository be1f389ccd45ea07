-- DropIndex
DROP INDEX "ExportAuditLog_action_createdAt_idx";

-- DropIndex
DROP INDEX "ExportAuditLog_userId_createdAt_idx";

-- DropIndex
DROP INDEX "ExportAuditLog_patientId_createdAt_idx";

-- DropIndex
DROP INDEX "ExportAuditLog_outcome_createdAt_idx";

-- CreateIndex
CREATE INDEX "ExportAuditLog_action_seq_idx" ON "ExportAuditLog"("action", "seq");

-- CreateIndex
CREATE INDEX "ExportAuditLog_userId_seq_idx" ON "ExportAuditLog"("userId", "seq");

-- CreateIndex
CREATE INDEX "ExportAuditLog_userId_action_seq_idx" ON "ExportAuditLog"("userId", "action", "seq");

-- CreateIndex
CREATE INDEX "ExportAuditLog_patientId_seq_idx" ON "ExportAuditLog"("patientId", "seq");

-- CreateIndex
CREATE INDEX "ExportAuditLog_outcome_seq_idx" ON "ExportAuditLog"("outcome", "seq");

