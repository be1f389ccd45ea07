import { defineConfig } from "vitest/config";

// Unit tests: pure logic, colocated as lib/**/x.test.ts (and the pure helpers of components). No database.
export default defineConfig({
  resolve: { alias: { "@": import.meta.dirname } },
  test: {
    environment: "node",
    include: ["lib/**/*.test.ts", "lib/**/*.test.tsx", "cli/**/*.test.ts", "components/**/*.test.ts", "scripts/**/*.test.ts"],
    exclude: ["**/*.integration.test.ts", "node_modules/**"],
    // Some unit tests lay out whole PDFs or build scanners over 150,000 values: seconds each on a
    // busy 2-core machine (vitest's default of 5 s failed them at random there, never on a quiet one).
    testTimeout: 20_000,
  },
});
