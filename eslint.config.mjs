import nextCoreWebVitals from "eslint-config-next/core-web-vitals";
import nextTypescript from "eslint-config-next/typescript";

const config = [
  ...nextCoreWebVitals,
  ...nextTypescript,
  {
    ignores: ["node_modules/**", ".next/**", "generated/**", "data/**", "test-results/**", "playwright-report/**", "next-env.d.ts"],
  },
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      // process.env is read in lib/env.ts only (and by scripts/tests that set it up).
      "no-restricted-properties": ["error", { object: "process", property: "env", message: "Read configuration through lib/env.ts" }],
    },
  },
  {
    // Domain code fails with AppError (lib/errors) and never reaches into the HTTP transport.
    files: ["lib/**/*.ts", "lib/**/*.tsx"],
    ignores: ["lib/http/**"],
    rules: { "no-restricted-imports": ["error", { patterns: [{ group: ["@/lib/http/*"], message: "lib/ must not depend on the HTTP layer: throw AppError from lib/errors/app-error" }] }] },
  },
  {
    files: ["lib/env.ts", "lib/logger.ts", "scripts/**", "tests/**", "e2e/**", "**/*.test.ts", "**/*.test.tsx", "playwright.config.ts", "prisma.config.ts", "prisma.pg.config.ts", "vitest*.mts", "bench/**", "cli/index.ts", "instrumentation.ts"],
    rules: { "no-restricted-properties": "off" },
  },
];

export default config;
