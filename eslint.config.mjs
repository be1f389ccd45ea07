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
    files: ["lib/env.ts", "lib/logger.ts", "scripts/**", "tests/**", "e2e/**", "**/*.test.ts", "**/*.test.tsx", "playwright.config.ts", "prisma.config.ts", "prisma.pg.config.ts", "vitest*.mts", "bench/**", "cli/index.ts", "instrumentation.ts"],
    rules: { "no-restricted-properties": "off" },
  },
];

export default config;
