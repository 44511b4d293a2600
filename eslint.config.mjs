import { defineConfig, globalIgnores } from "eslint/config";
import nextVitals from "eslint-config-next/core-web-vitals";
import nextTypescript from "eslint-config-next/typescript";

const DNS_STANDALONE = "lib/dns is a standalone library: node:* and its npm packages only.";

const NEXT_LINK = ["^next/link$", "Import { Link } from @/components/ui/link: it prefetches a page when the admin reaches for its link, not whenever the link is on screen."];

/** A `no-restricted-imports` entry: `files` may not import what any [regex, message] pattern matches. */
function restrictImports(files, ...patterns) {
  return { files, rules: { "no-restricted-imports": ["error", { patterns: patterns.map(([regex, message]) => ({ regex, message })) }] } };
}

export default defineConfig([
  ...nextVitals,
  ...nextTypescript,
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", destructuredArrayIgnorePattern: "^_" }],
    },
  },
  // Boundaries between layers and areas (docs/decisions/014-feature-areas-and-boundaries.md).
  // For files matching more than one entry, the later entry's patterns replace the earlier ones'.
  restrictImports(
    ["app/**/*.{ts,tsx}", "components/**/*.{ts,tsx}"],
    [
      "^@/lib/db(/|$)",
      "Pages, route handlers and components read through lib/<area>/queries.ts and change through commands; they never touch the database client.",
    ],
    NEXT_LINK,
  ),
  restrictImports(
    ["components/**/*.{ts,tsx}"],
    ["^@/lib/db(/|$)", "Components never touch the database client."],
    NEXT_LINK,
    [
      // The pure, browser-safe modules still named apart from their area's types/schemas (domain
      // name checks, scenario texts, redirect instructions, record states, the zone file, route
      // status, CSV parsing, the three-way merge of concurrent edits) are listed by name: a new
      // one must be added on purpose.
      "^@/lib/(?!(?:[a-z-]+/)+(?:types|schemas)$|auth/permissions$|actions/(?:result|merge)$|domains/(?:hostname|scenarios|redirects|record-status|zone-file)$|routes/(?:status|csv|merge)$|paging$)",
      "Components import from lib/ only client-safe modules: an area's types.ts or schemas.ts, auth/permissions, actions/result, lib/paging or the modules listed here.",
    ],
  ),
  restrictImports(["lib/**/*.{ts,tsx}"], ["^@/(app|components)(/|$)", "lib/ is the domain: it never imports pages or components."]),
  // lib/dns stands alone: nothing outside it, whether by alias or by climbing out of its folder.
  restrictImports(["lib/dns/**/*.ts"], ["^@/", DNS_STANDALONE], ["^\\.\\./\\.\\./", DNS_STANDALONE]),
  restrictImports(["lib/dns/*.ts"], ["^@/", DNS_STANDALONE], ["^\\.\\./", DNS_STANDALONE]),
  globalIgnores([".next/**", ".next-*/**", ".data/**", "node_modules/**", "lib/db/generated/**", "test-results/**", "next-env.d.ts"]),
]);
