-- CreateTable
CREATE TABLE "User" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "email" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "role" TEXT NOT NULL,
    "credentials" TEXT,
    "npi" TEXT,
    "passwordHash" TEXT,
    "piiAccess" BOOLEAN NOT NULL DEFAULT false,
    "isDisabled" BOOLEAN NOT NULL DEFAULT false,
    "failedLoginCount" INTEGER NOT NULL DEFAULT 0,
    "lockedUntil" DATETIME,
    "lastLoginAt" DATETIME,
    "timeZone" TEXT,
    "practitionerId" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "User_practitionerId_fkey" FOREIGN KEY ("practitionerId") REFERENCES "Practitioner" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "ApiToken" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "userId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "tokenHash" TEXT NOT NULL,
    "prefix" TEXT NOT NULL,
    "expiresAt" DATETIME NOT NULL,
    "revokedAt" DATETIME,
    "lastUsedAt" DATETIME,
    "createdById" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "ApiToken_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "PatientAssignment" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "userId" TEXT NOT NULL,
    "patientId" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "PatientAssignment_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "PatientAssignment_patientId_fkey" FOREIGN KEY ("patientId") REFERENCES "Patient" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "Organization" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "fhirId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "type" TEXT,
    "phone" TEXT,
    "email" TEXT,
    "addressLine" TEXT,
    "city" TEXT,
    "state" TEXT,
    "postalCode" TEXT,
    "partOfId" TEXT,
    "raw" JSONB NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "Location" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "fhirId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "organizationId" TEXT,
    "phone" TEXT,
    "addressLine" TEXT,
    "city" TEXT,
    "state" TEXT,
    "postalCode" TEXT,
    "raw" JSONB NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "Location_organizationId_fkey" FOREIGN KEY ("organizationId") REFERENCES "Organization" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "Practitioner" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "fhirId" TEXT NOT NULL,
    "givenName" TEXT NOT NULL,
    "familyName" TEXT NOT NULL,
    "prefix" TEXT,
    "npi" TEXT,
    "credentials" TEXT,
    "gender" TEXT,
    "phone" TEXT,
    "email" TEXT,
    "organizationId" TEXT,
    "active" BOOLEAN NOT NULL DEFAULT true,
    "raw" JSONB NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "Practitioner_organizationId_fkey" FOREIGN KEY ("organizationId") REFERENCES "Organization" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "Patient" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "fhirId" TEXT NOT NULL,
    "mrn" TEXT,
    "ssn" TEXT,
    "medicaidId" TEXT,
    "insurancePayer" TEXT,
    "insuranceMemberId" TEXT,
    "givenName" TEXT NOT NULL,
    "middleName" TEXT,
    "familyName" TEXT NOT NULL,
    "preferredName" TEXT,
    "birthDate" TEXT,
    "gender" TEXT,
    "phone" TEXT,
    "mobilePhone" TEXT,
    "email" TEXT,
    "addressLine" TEXT,
    "city" TEXT,
    "state" TEXT,
    "postalCode" TEXT,
    "country" TEXT,
    "language" TEXT,
    "maritalStatus" TEXT,
    "emergencyContactName" TEXT,
    "emergencyContactPhone" TEXT,
    "active" BOOLEAN NOT NULL DEFAULT true,
    "organizationId" TEXT,
    "generalPractitionerId" TEXT,
    "raw" JSONB NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "Patient_organizationId_fkey" FOREIGN KEY ("organizationId") REFERENCES "Organization" ("id") ON DELETE SET NULL ON UPDATE CASCADE,
    CONSTRAINT "Patient_generalPractitionerId_fkey" FOREIGN KEY ("generalPractitionerId") REFERENCES "Practitioner" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "Encounter" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "fhirId" TEXT NOT NULL,
    "patientId" TEXT NOT NULL,
    "practitionerId" TEXT,
    "organizationId" TEXT,
    "locationId" TEXT,
    "status" TEXT NOT NULL,
    "deliveryFormat" TEXT,
    "cptCode" TEXT,
    "cptDisplay" TEXT,
    "units" INTEGER,
    "startAt" DATETIME NOT NULL,
    "endAt" DATETIME,
    "reasonText" TEXT,
    "raw" JSONB NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "Encounter_patientId_fkey" FOREIGN KEY ("patientId") REFERENCES "Patient" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "Encounter_practitionerId_fkey" FOREIGN KEY ("practitionerId") REFERENCES "Practitioner" ("id") ON DELETE SET NULL ON UPDATE CASCADE,
    CONSTRAINT "Encounter_organizationId_fkey" FOREIGN KEY ("organizationId") REFERENCES "Organization" ("id") ON DELETE SET NULL ON UPDATE CASCADE,
    CONSTRAINT "Encounter_locationId_fkey" FOREIGN KEY ("locationId") REFERENCES "Location" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "SessionNote" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "fhirId" TEXT NOT NULL,
    "patientId" TEXT NOT NULL,
    "encounterId" TEXT,
    "practitionerId" TEXT,
    "noteDate" DATETIME NOT NULL,
    "status" TEXT NOT NULL,
    "subjective" TEXT,
    "objective" TEXT,
    "assessment" TEXT,
    "plan" TEXT,
    "transcript" TEXT,
    "aiNotes" TEXT,
    "actionItems" JSONB,
    "isSigned" BOOLEAN NOT NULL DEFAULT false,
    "signedAt" DATETIME,
    "raw" JSONB NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "SessionNote_patientId_fkey" FOREIGN KEY ("patientId") REFERENCES "Patient" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "SessionNote_encounterId_fkey" FOREIGN KEY ("encounterId") REFERENCES "Encounter" ("id") ON DELETE SET NULL ON UPDATE CASCADE,
    CONSTRAINT "SessionNote_practitionerId_fkey" FOREIGN KEY ("practitionerId") REFERENCES "Practitioner" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "Condition" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "fhirId" TEXT NOT NULL,
    "patientId" TEXT NOT NULL,
    "icd10Code" TEXT NOT NULL,
    "display" TEXT NOT NULL,
    "clinicalStatus" TEXT,
    "onsetDate" TEXT,
    "recordedDate" TEXT,
    "raw" JSONB NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "Condition_patientId_fkey" FOREIGN KEY ("patientId") REFERENCES "Patient" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "TreatmentPlan" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "fhirId" TEXT NOT NULL,
    "patientId" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "description" TEXT,
    "status" TEXT NOT NULL,
    "interventions" JSONB,
    "startDate" TEXT,
    "endDate" TEXT,
    "raw" JSONB NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "TreatmentPlan_patientId_fkey" FOREIGN KEY ("patientId") REFERENCES "Patient" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "Goal" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "fhirId" TEXT NOT NULL,
    "patientId" TEXT NOT NULL,
    "treatmentPlanId" TEXT,
    "description" TEXT NOT NULL,
    "measure" TEXT,
    "unit" TEXT,
    "baselineValue" REAL,
    "targetValue" REAL,
    "currentValue" REAL,
    "progressPercent" REAL,
    "lifecycleStatus" TEXT NOT NULL,
    "achievementStatus" TEXT,
    "startDate" TEXT,
    "targetDate" TEXT,
    "raw" JSONB NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "Goal_patientId_fkey" FOREIGN KEY ("patientId") REFERENCES "Patient" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "Goal_treatmentPlanId_fkey" FOREIGN KEY ("treatmentPlanId") REFERENCES "TreatmentPlan" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "QuestionnaireResponse" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "fhirId" TEXT NOT NULL,
    "patientId" TEXT NOT NULL,
    "encounterId" TEXT,
    "practitionerId" TEXT,
    "questionnaire" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "authoredAt" DATETIME NOT NULL,
    "totalScore" REAL,
    "severity" TEXT,
    "items" JSONB NOT NULL,
    "raw" JSONB NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "QuestionnaireResponse_patientId_fkey" FOREIGN KEY ("patientId") REFERENCES "Patient" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "QuestionnaireResponse_encounterId_fkey" FOREIGN KEY ("encounterId") REFERENCES "Encounter" ("id") ON DELETE SET NULL ON UPDATE CASCADE,
    CONSTRAINT "QuestionnaireResponse_practitionerId_fkey" FOREIGN KEY ("practitionerId") REFERENCES "Practitioner" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "Observation" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "fhirId" TEXT NOT NULL,
    "patientId" TEXT NOT NULL,
    "encounterId" TEXT,
    "code" TEXT NOT NULL,
    "display" TEXT NOT NULL,
    "category" TEXT,
    "valueNumber" REAL,
    "valueString" TEXT,
    "unit" TEXT,
    "status" TEXT NOT NULL,
    "effectiveAt" DATETIME NOT NULL,
    "raw" JSONB NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "Observation_patientId_fkey" FOREIGN KEY ("patientId") REFERENCES "Patient" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "Observation_encounterId_fkey" FOREIGN KEY ("encounterId") REFERENCES "Encounter" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "CarePlan" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "fhirId" TEXT NOT NULL,
    "patientId" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "category" TEXT,
    "status" TEXT NOT NULL,
    "intent" TEXT,
    "description" TEXT,
    "startDate" TEXT,
    "endDate" TEXT,
    "raw" JSONB NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "CarePlan_patientId_fkey" FOREIGN KEY ("patientId") REFERENCES "Patient" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "CareTeam" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "fhirId" TEXT NOT NULL,
    "patientId" TEXT NOT NULL,
    "name" TEXT,
    "status" TEXT,
    "members" JSONB NOT NULL,
    "raw" JSONB NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "CareTeam_patientId_fkey" FOREIGN KEY ("patientId") REFERENCES "Patient" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "ExportTemplate" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "templateKey" TEXT NOT NULL,
    "version" INTEGER NOT NULL DEFAULT 1,
    "isLatest" BOOLEAN NOT NULL DEFAULT true,
    "name" TEXT NOT NULL,
    "description" TEXT,
    "exportType" TEXT NOT NULL,
    "format" TEXT NOT NULL,
    "templateContent" TEXT NOT NULL,
    "includeSections" JSONB NOT NULL,
    "isSystem" BOOLEAN NOT NULL DEFAULT false,
    "isArchived" BOOLEAN NOT NULL DEFAULT false,
    "createdById" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "ExportTemplate_createdById_fkey" FOREIGN KEY ("createdById") REFERENCES "User" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "ExportJob" (
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
    "startedAt" DATETIME,
    "completedAt" DATETIME,
    "expiresAt" DATETIME,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "ExportJob_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "ExportJob_templateId_fkey" FOREIGN KEY ("templateId") REFERENCES "ExportTemplate" ("id") ON DELETE SET NULL ON UPDATE CASCADE,
    CONSTRAINT "ExportJob_scheduledReportId_fkey" FOREIGN KEY ("scheduledReportId") REFERENCES "ScheduledReport" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "ExportAuditLog" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "seq" INTEGER NOT NULL,
    "action" TEXT NOT NULL,
    "outcome" TEXT NOT NULL,
    "userId" TEXT,
    "actorLabel" TEXT,
    "exportJobId" TEXT,
    "patientId" TEXT,
    "dataset" TEXT,
    "templateId" TEXT,
    "scheduleId" TEXT,
    "ipAddress" TEXT,
    "userAgent" TEXT,
    "requestId" TEXT,
    "metadata" JSONB,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "prevHash" TEXT NOT NULL,
    "hash" TEXT NOT NULL
);

-- CreateTable
CREATE TABLE "AuditCheckpoint" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "seq" INTEGER NOT NULL,
    "hash" TEXT NOT NULL,
    "purgedCount" INTEGER NOT NULL,
    "signature" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateTable
CREATE TABLE "ScheduledReport" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "userId" TEXT NOT NULL,
    "name" TEXT,
    "templateId" TEXT,
    "exportType" TEXT NOT NULL,
    "format" TEXT NOT NULL,
    "datasetExport" JSONB,
    "patientId" TEXT,
    "scheduleType" TEXT NOT NULL,
    "scheduleConfig" JSONB NOT NULL,
    "parameters" JSONB NOT NULL,
    "deliveryMethod" TEXT NOT NULL,
    "deliveryTarget" TEXT,
    "isActive" BOOLEAN NOT NULL DEFAULT true,
    "pausedReason" TEXT,
    "nextRunAt" DATETIME,
    "lastRunAt" DATETIME,
    "lastStatus" TEXT,
    "consecutiveFailures" INTEGER NOT NULL DEFAULT 0,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "ScheduledReport_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "ScheduledReport_templateId_fkey" FOREIGN KEY ("templateId") REFERENCES "ExportTemplate" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "ScheduleRun" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "scheduleId" TEXT NOT NULL,
    "scheduledFor" DATETIME NOT NULL,
    "claimedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "jobId" TEXT,
    "status" TEXT NOT NULL,
    "missedRuns" INTEGER NOT NULL DEFAULT 0,
    "note" TEXT,
    "error" TEXT,
    "deliveredAt" DATETIME,
    "deliveryLog" JSONB,
    CONSTRAINT "ScheduleRun_scheduleId_fkey" FOREIGN KEY ("scheduleId") REFERENCES "ScheduledReport" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "ScheduleRun_jobId_fkey" FOREIGN KEY ("jobId") REFERENCES "ExportJob" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "Setting" (
    "key" TEXT NOT NULL PRIMARY KEY,
    "value" JSONB NOT NULL,
    "updatedById" TEXT,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "WarehouseConnection" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "name" TEXT NOT NULL,
    "encryptedUrl" TEXT NOT NULL,
    "columnPolicies" JSONB NOT NULL,
    "createdById" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);

-- CreateIndex
CREATE UNIQUE INDEX "User_email_key" ON "User"("email");

-- CreateIndex
CREATE UNIQUE INDEX "User_practitionerId_key" ON "User"("practitionerId");

-- CreateIndex
CREATE UNIQUE INDEX "ApiToken_tokenHash_key" ON "ApiToken"("tokenHash");

-- CreateIndex
CREATE INDEX "ApiToken_userId_idx" ON "ApiToken"("userId");

-- CreateIndex
CREATE INDEX "PatientAssignment_patientId_idx" ON "PatientAssignment"("patientId");

-- CreateIndex
CREATE UNIQUE INDEX "PatientAssignment_userId_patientId_key" ON "PatientAssignment"("userId", "patientId");

-- CreateIndex
CREATE UNIQUE INDEX "Organization_fhirId_key" ON "Organization"("fhirId");

-- CreateIndex
CREATE UNIQUE INDEX "Location_fhirId_key" ON "Location"("fhirId");

-- CreateIndex
CREATE UNIQUE INDEX "Practitioner_fhirId_key" ON "Practitioner"("fhirId");

-- CreateIndex
CREATE UNIQUE INDEX "Patient_fhirId_key" ON "Patient"("fhirId");

-- CreateIndex
CREATE INDEX "Patient_familyName_givenName_idx" ON "Patient"("familyName", "givenName");

-- CreateIndex
CREATE INDEX "Patient_mrn_idx" ON "Patient"("mrn");

-- CreateIndex
CREATE UNIQUE INDEX "Encounter_fhirId_key" ON "Encounter"("fhirId");

-- CreateIndex
CREATE INDEX "Encounter_patientId_startAt_idx" ON "Encounter"("patientId", "startAt");

-- CreateIndex
CREATE INDEX "Encounter_practitionerId_startAt_idx" ON "Encounter"("practitionerId", "startAt");

-- CreateIndex
CREATE INDEX "Encounter_startAt_idx" ON "Encounter"("startAt");

-- CreateIndex
CREATE UNIQUE INDEX "SessionNote_fhirId_key" ON "SessionNote"("fhirId");

-- CreateIndex
CREATE INDEX "SessionNote_patientId_noteDate_idx" ON "SessionNote"("patientId", "noteDate");

-- CreateIndex
CREATE INDEX "SessionNote_encounterId_idx" ON "SessionNote"("encounterId");

-- CreateIndex
CREATE UNIQUE INDEX "Condition_fhirId_key" ON "Condition"("fhirId");

-- CreateIndex
CREATE INDEX "Condition_patientId_idx" ON "Condition"("patientId");

-- CreateIndex
CREATE UNIQUE INDEX "TreatmentPlan_fhirId_key" ON "TreatmentPlan"("fhirId");

-- CreateIndex
CREATE INDEX "TreatmentPlan_patientId_idx" ON "TreatmentPlan"("patientId");

-- CreateIndex
CREATE UNIQUE INDEX "Goal_fhirId_key" ON "Goal"("fhirId");

-- CreateIndex
CREATE INDEX "Goal_patientId_idx" ON "Goal"("patientId");

-- CreateIndex
CREATE UNIQUE INDEX "QuestionnaireResponse_fhirId_key" ON "QuestionnaireResponse"("fhirId");

-- CreateIndex
CREATE INDEX "QuestionnaireResponse_patientId_authoredAt_idx" ON "QuestionnaireResponse"("patientId", "authoredAt");

-- CreateIndex
CREATE INDEX "QuestionnaireResponse_questionnaire_authoredAt_idx" ON "QuestionnaireResponse"("questionnaire", "authoredAt");

-- CreateIndex
CREATE INDEX "QuestionnaireResponse_practitionerId_authoredAt_idx" ON "QuestionnaireResponse"("practitionerId", "authoredAt");

-- CreateIndex
CREATE UNIQUE INDEX "Observation_fhirId_key" ON "Observation"("fhirId");

-- CreateIndex
CREATE INDEX "Observation_patientId_effectiveAt_idx" ON "Observation"("patientId", "effectiveAt");

-- CreateIndex
CREATE UNIQUE INDEX "CarePlan_fhirId_key" ON "CarePlan"("fhirId");

-- CreateIndex
CREATE INDEX "CarePlan_patientId_idx" ON "CarePlan"("patientId");

-- CreateIndex
CREATE INDEX "CarePlan_category_idx" ON "CarePlan"("category");

-- CreateIndex
CREATE UNIQUE INDEX "CareTeam_fhirId_key" ON "CareTeam"("fhirId");

-- CreateIndex
CREATE INDEX "CareTeam_patientId_idx" ON "CareTeam"("patientId");

-- CreateIndex
CREATE INDEX "ExportTemplate_exportType_isLatest_idx" ON "ExportTemplate"("exportType", "isLatest");

-- CreateIndex
CREATE UNIQUE INDEX "ExportTemplate_templateKey_version_key" ON "ExportTemplate"("templateKey", "version");

-- CreateIndex
CREATE INDEX "ExportJob_status_runAfter_idx" ON "ExportJob"("status", "runAfter");

-- CreateIndex
CREATE INDEX "ExportJob_userId_createdAt_idx" ON "ExportJob"("userId", "createdAt");

-- CreateIndex
CREATE INDEX "ExportJob_patientId_idx" ON "ExportJob"("patientId");

-- CreateIndex
CREATE INDEX "ExportJob_expiresAt_idx" ON "ExportJob"("expiresAt");

-- CreateIndex
CREATE UNIQUE INDEX "ExportAuditLog_seq_key" ON "ExportAuditLog"("seq");

-- CreateIndex
CREATE INDEX "ExportAuditLog_createdAt_idx" ON "ExportAuditLog"("createdAt");

-- CreateIndex
CREATE INDEX "ExportAuditLog_action_createdAt_idx" ON "ExportAuditLog"("action", "createdAt");

-- CreateIndex
CREATE INDEX "ExportAuditLog_userId_createdAt_idx" ON "ExportAuditLog"("userId", "createdAt");

-- CreateIndex
CREATE INDEX "ExportAuditLog_patientId_createdAt_idx" ON "ExportAuditLog"("patientId", "createdAt");

-- CreateIndex
CREATE INDEX "ExportAuditLog_exportJobId_idx" ON "ExportAuditLog"("exportJobId");

-- CreateIndex
CREATE INDEX "ExportAuditLog_outcome_createdAt_idx" ON "ExportAuditLog"("outcome", "createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "AuditCheckpoint_seq_key" ON "AuditCheckpoint"("seq");

-- CreateIndex
CREATE INDEX "ScheduledReport_isActive_nextRunAt_idx" ON "ScheduledReport"("isActive", "nextRunAt");

-- CreateIndex
CREATE INDEX "ScheduledReport_userId_idx" ON "ScheduledReport"("userId");

-- CreateIndex
CREATE UNIQUE INDEX "ScheduleRun_jobId_key" ON "ScheduleRun"("jobId");

-- CreateIndex
CREATE INDEX "ScheduleRun_scheduleId_claimedAt_idx" ON "ScheduleRun"("scheduleId", "claimedAt");

-- CreateIndex
CREATE UNIQUE INDEX "ScheduleRun_scheduleId_scheduledFor_key" ON "ScheduleRun"("scheduleId", "scheduledFor");

-- CreateIndex
CREATE UNIQUE INDEX "WarehouseConnection_name_key" ON "WarehouseConnection"("name");


-- Hand-written: the audit trail is append-only. UPDATE is always refused; DELETE only of
-- records already covered by a retention checkpoint (the purge writes the checkpoint first).
CREATE TRIGGER "ExportAuditLog_no_update" BEFORE UPDATE ON "ExportAuditLog"
BEGIN
    SELECT RAISE(ABORT, 'ExportAuditLog is append-only');
END;

CREATE TRIGGER "ExportAuditLog_no_delete" BEFORE DELETE ON "ExportAuditLog"
WHEN OLD."seq" > COALESCE((SELECT MAX("seq") FROM "AuditCheckpoint"), 0)
BEGIN
    SELECT RAISE(ABORT, 'ExportAuditLog is append-only: only records covered by a retention checkpoint may be purged');
END;
