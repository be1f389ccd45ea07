-- AlterTable (SQLite adds a NOT NULL column with a default in place; no table rebuild needed)
ALTER TABLE "User" ADD COLUMN "sessionVersion" INTEGER NOT NULL DEFAULT 0;
