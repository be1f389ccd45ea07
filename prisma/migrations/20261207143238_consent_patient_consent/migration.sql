-- CreateTable
CREATE TABLE "Consent" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "fhirId" TEXT NOT NULL,
    "patientId" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "optOut" BOOLEAN NOT NULL,
    "decidedAt" DATETIME NOT NULL,
    "source" TEXT NOT NULL DEFAULT 'fhir',
    "reason" TEXT,
    "recordedById" TEXT,
    "raw" JSONB NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "Consent_patientId_fkey" FOREIGN KEY ("patientId") REFERENCES "Patient" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "Consent_recordedById_fkey" FOREIGN KEY ("recordedById") REFERENCES "User" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Patient" (
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
    "district" TEXT,
    "state" TEXT,
    "postalCode" TEXT,
    "country" TEXT,
    "language" TEXT,
    "maritalStatus" TEXT,
    "emergencyContactName" TEXT,
    "emergencyContactPhone" TEXT,
    "active" BOOLEAN NOT NULL DEFAULT true,
    "dataSharingOptOut" BOOLEAN NOT NULL DEFAULT false,
    "organizationId" TEXT,
    "generalPractitionerId" TEXT,
    "raw" JSONB NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "Patient_organizationId_fkey" FOREIGN KEY ("organizationId") REFERENCES "Organization" ("id") ON DELETE SET NULL ON UPDATE CASCADE,
    CONSTRAINT "Patient_generalPractitionerId_fkey" FOREIGN KEY ("generalPractitionerId") REFERENCES "Practitioner" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);
INSERT INTO "new_Patient" ("active", "addressLine", "birthDate", "city", "country", "createdAt", "district", "email", "emergencyContactName", "emergencyContactPhone", "familyName", "fhirId", "gender", "generalPractitionerId", "givenName", "id", "insuranceMemberId", "insurancePayer", "language", "maritalStatus", "medicaidId", "middleName", "mobilePhone", "mrn", "organizationId", "phone", "postalCode", "preferredName", "raw", "ssn", "state", "updatedAt") SELECT "active", "addressLine", "birthDate", "city", "country", "createdAt", "district", "email", "emergencyContactName", "emergencyContactPhone", "familyName", "fhirId", "gender", "generalPractitionerId", "givenName", "id", "insuranceMemberId", "insurancePayer", "language", "maritalStatus", "medicaidId", "middleName", "mobilePhone", "mrn", "organizationId", "phone", "postalCode", "preferredName", "raw", "ssn", "state", "updatedAt" FROM "Patient";
DROP TABLE "Patient";
ALTER TABLE "new_Patient" RENAME TO "Patient";
CREATE UNIQUE INDEX "Patient_fhirId_key" ON "Patient"("fhirId");
CREATE INDEX "Patient_familyName_givenName_idx" ON "Patient"("familyName", "givenName");
CREATE INDEX "Patient_mrn_idx" ON "Patient"("mrn");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

-- CreateIndex
CREATE UNIQUE INDEX "Consent_fhirId_key" ON "Consent"("fhirId");

-- CreateIndex
CREATE INDEX "Consent_patientId_decidedAt_idx" ON "Consent"("patientId", "decidedAt");

