-- CreateTable
CREATE TABLE "LoginThrottle" (
    "key" TEXT NOT NULL PRIMARY KEY,
    "failures" INTEGER NOT NULL DEFAULT 0,
    "windowStart" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lockedUntil" DATETIME,
    "updatedAt" DATETIME NOT NULL
);

-- CreateIndex
CREATE INDEX "LoginThrottle_updatedAt_idx" ON "LoginThrottle"("updatedAt");

-- AlterTable: the account-wide counters are replaced by LoginThrottle (SQLite >= 3.35 drops columns in place)
ALTER TABLE "User" DROP COLUMN "failedLoginCount";
ALTER TABLE "User" DROP COLUMN "lockedUntil";
