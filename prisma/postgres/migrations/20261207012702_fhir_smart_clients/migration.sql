-- CreateTable
CREATE TABLE "FhirClient" (
    "id" TEXT NOT NULL,
    "clientId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "piiReason" TEXT,
    "jwksUrl" TEXT,
    "jwks" JSONB,
    "scopes" JSONB NOT NULL,
    "isDisabled" BOOLEAN NOT NULL DEFAULT false,
    "createdById" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "FhirClient_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "FhirAccessToken" (
    "id" TEXT NOT NULL,
    "clientId" TEXT NOT NULL,
    "tokenHash" TEXT NOT NULL,
    "scopes" JSONB NOT NULL,
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "FhirAccessToken_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "FhirAssertionJti" (
    "clientId" TEXT NOT NULL,
    "jti" TEXT NOT NULL,
    "expiresAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "FhirAssertionJti_pkey" PRIMARY KEY ("clientId","jti")
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

-- AddForeignKey
ALTER TABLE "FhirClient" ADD CONSTRAINT "FhirClient_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "FhirAccessToken" ADD CONSTRAINT "FhirAccessToken_clientId_fkey" FOREIGN KEY ("clientId") REFERENCES "FhirClient"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "FhirAssertionJti" ADD CONSTRAINT "FhirAssertionJti_clientId_fkey" FOREIGN KEY ("clientId") REFERENCES "FhirClient"("id") ON DELETE CASCADE ON UPDATE CASCADE;

