import { defineConfig, globalIgnores } from "eslint/config";
import nextVitals from "eslint-config-next/core-web-vitals";
import nextTypescript from "eslint-config-next/typescript";

export default defineConfig([
  ...nextVitals,
  ...nextTypescript,
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", destructuredArrayIgnorePattern: "^_" }],
    },
  },
  // Boundaries between layers and areas (docs/decisions/014-feature-areas-and-boundaries.md).
  {
    files: ["app/**/*.{ts,tsx}", "components/**/*.{ts,tsx}"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              regex: "^@/lib/db(/|$)",
              message: "Pages, route handlers and components read through lib/<area>/queries.ts and change through commands; they never touch the database client.",
            },
          ],
        },
      ],
    },
  },
  {
    files: ["components/**/*.{ts,tsx}"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              regex: "^@/lib/db(/|$)",
              message: "Components never touch the database client.",
            },
            {
              // The pure, browser-safe modules still named apart from their area's types/schemas
              // (domain name checks, scenario texts, redirect instructions, route status, CSV
              // parsing) are listed by name: a new one must be added here on purpose.
              regex:
                "^@/lib/(?!(?:[a-z-]+/)+(?:types|schemas)$|auth/permissions$|actions/result$|domains/(?:hostname|scenarios|redirects|record-status|zone-file)$|routes/(?:status|csv)$)",
              message: "Components import from lib/ only client-safe modules: an area's types.ts or schemas.ts, auth/permissions or actions/result.",
            },
          ],
        },
      ],
    },
  },
  {
    files: ["lib/**/*.{ts,tsx}"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [{ regex: "^@/(app|components)(/|$)", message: "lib/ is the domain: it never imports pages or components." }],
        },
      ],
    },
  },
  {
    files: ["lib/dns/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            { regex: "^@/", message: "lib/dns is a standalone library: node:* and its npm packages only." },
            { regex: "^\\.\\./\\.\\./", message: "lib/dns is a standalone library: node:* and its npm packages only." },
          ],
        },
      ],
    },
  },
  {
    files: ["lib/dns/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            { regex: "^@/", message: "lib/dns is a standalone library: node:* and its npm packages only." },
            { regex: "^\\.\\./", message: "lib/dns is a standalone library: node:* and its npm packages only." },
          ],
        },
      ],
    },
  },
  globalIgnores([".next/**", ".next-*/**", ".data/**", "node_modules/**", "lib/db/generated/**", "test-results/**", "next-env.d.ts"]),
]);
