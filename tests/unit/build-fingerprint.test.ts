import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

import { afterEach, describe, expect, it } from "vitest";

import { sourceFingerprint } from "@/lib/runtime/build";

/** `npm start`, the browser tests and the benches rebuild only when this fingerprint changes. */
describe("the build's source fingerprint", () => {
  let root = "";
  afterEach(async () => {
    if (root) await rm(root, { recursive: true, force: true });
  });

  it("changes with every file the build compiles, the root instrumentation and proxy included, and not with tests", async () => {
    root = await mkdtemp(path.join(tmpdir(), "erc-fingerprint-"));
    const files = ["app/page.tsx", "lib/a.ts", "components/b.tsx", "instrumentation.ts", "proxy.ts", "next.config.mjs"];
    for (const file of files) {
      await mkdir(path.dirname(path.join(root, file)), { recursive: true });
      await writeFile(path.join(root, file), `// ${file}\n`);
    }
    const before = await sourceFingerprint(root);
    expect(await sourceFingerprint(root)).toBe(before);

    await writeFile(path.join(root, "lib/a.test.ts"), "// a test\n");
    await writeFile(path.join(root, "README.md"), "# not built\n");
    expect(await sourceFingerprint(root)).toBe(before);

    for (const file of files) {
      await writeFile(path.join(root, file), `// ${file}, edited\n`);
      const after = await sourceFingerprint(root);
      expect(after, file).not.toBe(before);
      await writeFile(path.join(root, file), `// ${file}\n`);
    }
  });
});
