-- CreateTable
CREATE TABLE "FhirClient" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "clientId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "piiReason" TEXT,
    "jwksUrl" TEXT,
    "jwks" JSONB,
    "scopes" JSONB NOT NULL,
    "isDisabled" BOOLEAN NOT NULL DEFAULT false,
    "createdById" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "FhirClient_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "FhirAccessToken" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "clientId" TEXT NOT NULL,
    "tokenHash" TEXT NOT NULL,
    "scopes" JSONB NOT NULL,
    "expiresAt" DATETIME NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "FhirAccessToken_clientId_fkey" FOREIGN KEY ("clientId") REFERENCES "FhirClient" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "FhirAssertionJti" (
    "clientId" TEXT NOT NULL,
    "jti" TEXT NOT NULL,
    "expiresAt" DATETIME NOT NULL,

    PRIMARY KEY ("clientId", "jti"),
    CONSTRAINT "FhirAssertionJti_clientId_fkey" FOREIGN KEY ("clientId") REFERENCES "FhirClient" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateIndex
CREATE UNIQUE INDEX "FhirClient_clientId_key" ON "FhirClient"("clientId");

-- CreateIndex
CREATE UNIQUE INDEX "FhirClient_userId_key" ON "FhirClient"("userId");

-- CreateIndex
CREATE UNIQUE INDEX "FhirAccessToken_tokenHash_key" ON "FhirAccessToken"("tokenHash");

-- CreateIndex
CREATE INDEX "FhirAccessToken_clientId_idx" ON "FhirAccessToken"("clientId");

-- CreateIndex
CREATE INDEX "FhirAccessToken_expiresAt_idx" ON "FhirAccessToken"("expiresAt");

-- CreateIndex
CREATE INDEX "FhirAssertionJti_expiresAt_idx" ON "FhirAssertionJti"("expiresAt");

