import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { expect, it } from "vitest";

const APP = fileURLToPath(new URL("../../app", import.meta.url));

/**
 * A loading.tsx starts the response as 200 before the pages below it run, so a page under one that
 * calls notFound() (another organisation's domain) answers "not found" with status 200. Pages that
 * can be not found must have no loading boundary above them.
 */
it("puts no loading boundary above a page that calls notFound()", () => {
  const pages = (readdirSync(APP, { recursive: true }) as string[]).filter((file) => /(^|\/)page\.(tsx|ts|jsx|js)$/.test(file));
  const canBeNotFound = pages.filter((page) => /\bnotFound\(\)/.test(readFileSync(path.join(APP, page), "utf8")));
  expect(canBeNotFound).toContain("(console)/domains/[domain]/page.tsx");
  const shadowed = canBeNotFound.flatMap((page) => {
    const loading: string[] = [];
    for (let dir = path.dirname(path.join(APP, page)); dir.startsWith(APP); dir = path.dirname(dir)) {
      for (const name of ["loading.tsx", "loading.ts", "loading.jsx", "loading.js"]) {
        if (existsSync(path.join(dir, name))) loading.push(path.relative(APP, path.join(dir, name)));
      }
    }
    return loading.map((file) => `${page} is under ${file}`);
  });
  expect(shadowed).toEqual([]);
});
