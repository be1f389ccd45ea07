import { defineConfig } from "vitest/config";

// Integration tests: real database (SQLite file, or PostgreSQL when TEST_DATABASE_URL is set),
// real migrations, services and route handlers called directly. One database per file.
export default defineConfig({
  resolve: { alias: { "@": import.meta.dirname } },
  test: {
    environment: "node",
    include: ["lib/**/*.integration.test.ts", "app/**/*.integration.test.ts", "tests/integration/**/*.test.ts", "cli/**/*.integration.test.ts"],
    setupFiles: ["tests/setup/integration.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Two cores: more workers only contend for the CPU (bcrypt, PDF rendering).
    maxWorkers: 2,
  },
});
