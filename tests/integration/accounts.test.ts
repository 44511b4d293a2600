import { execFile } from "node:child_process";
import { promisify } from "node:util";

import { describe, expect, it } from "vitest";

import { createOrganization, createUser } from "@/lib/accounts/accounts";
import { DEMO_ACCOUNTS, seedDemoData } from "@/lib/accounts/demo-seed";
import { getDb } from "@/lib/db/client";
import { ConflictError, NotFoundError } from "@/lib/errors";

const run = promisify(execFile);
const db = getDb();

function cli(script: string, args: string[]) {
  return run(process.execPath, ["--conditions=react-server", "--import", "tsx", `scripts/${script}.ts`, ...args], {
    env: { ...process.env, LOG_LEVEL: "silent" },
  }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error: { code: number; stdout: string; stderr: string }) => ({ code: error.code, stdout: error.stdout, stderr: error.stderr }),
  );
}

describe("demo seed", () => {
  it("creates Acme, Globex and their accounts, and running it again changes nothing", async () => {
    await seedDemoData(db);
    const snapshot = async () => ({
      organizations: await db.organization.findMany({ orderBy: { slug: "asc" }, select: { slug: true, licences: true } }),
      users: await db.user.findMany({ orderBy: { email: "asc" }, select: { email: true, permissions: true, organization: { select: { slug: true } } } }),
    });
    const first = await snapshot();
    await seedDemoData(db);
    expect(await snapshot()).toEqual(first);
    expect(first.organizations).toEqual([
      { slug: "acme", licences: ["Genesys Cloud CX 3"] },
      { slug: "globex", licences: ["Genesys Cloud CX 1"] },
    ]);
    expect(first.users.map((user) => user.email)).toEqual(DEMO_ACCOUNTS.map((account) => account.email).sort());
  });
});

// Each test starts one or two command processes (tsx compiles on start): slow on a busy machine.
describe("operator commands", { timeout: 120_000 }, () => {
  it("org:create and user:create create an organisation and a user", async () => {
    const org = await cli("org-create", ["--name", "Initech", "--slug", "initech", "--licence", "Genesys Cloud CX 2 Digital"]);
    expect(org).toMatchObject({ code: 0 });
    expect(org.stdout).toContain("Created organisation Initech (initech)");
    const user = await cli("user-create", ["--org", "initech", "--email", "Peter@Initech.example", "--name", "Peter", "--password", "a-long-enough-password", "--permission", "routing:email:view"]);
    expect(user).toMatchObject({ code: 0 });
    const stored = await db.user.findUniqueOrThrow({ where: { email: "peter@initech.example" }, include: { organization: true } });
    expect(stored).toMatchObject({ permissions: ["routing:email:view"], organization: { slug: "initech", licences: ["Genesys Cloud CX 2 Digital"] } });
  });

  it("explains each invalid flag without a stack trace, and creates nothing", async () => {
    const result = await cli("user-create", ["--org", "acme", "--email", "not-an-email", "--name", "X", "--password", "short", "--permission", "routing:email:admin"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("--email: Enter a valid email address");
    expect(result.stderr).toContain("--password: Use at least 12 characters");
    expect(result.stderr).toContain("--permission: Unknown permission");
    expect(result.stderr).not.toMatch(/\n\s+at /);
    const unknownLicence = await cli("org-create", ["--name", "Umbrella", "--slug", "Umbrella Corp", "--licence", "Platinum"]);
    expect(unknownLicence.code).toBe(1);
    expect(unknownLicence.stderr).toContain("--slug: Use lower-case letters");
    expect(unknownLicence.stderr).toContain("--licence: Unknown licence");
    expect(await db.organization.count({ where: { name: "Umbrella" } })).toBe(0);
  });

  it("reports a duplicate or an unknown organisation clearly", async () => {
    await seedDemoData(db);
    const duplicate = await cli("org-create", ["--name", "Acme again", "--slug", "acme"]);
    expect(duplicate.code).toBe(1);
    expect(duplicate.stderr).toContain('An organisation with slug "acme" already exists.');
    const orphan = await cli("user-create", ["--org", "nowhere", "--email", "x@y.example", "--name", "X", "--password", "a-long-enough-password"]);
    expect(orphan.stderr).toContain('No organisation has the slug "nowhere".');
  });

  it("reports an unreachable database in one sentence", async () => {
    const result = await run(process.execPath, ["--conditions=react-server", "--import", "tsx", "scripts/migrate.ts"], {
      env: { ...process.env, DATABASE_URL: "postgresql://u:p@127.0.0.1:1/none" },
    }).catch((error: { code: number; stderr: string }) => error);
    expect(result).toMatchObject({ code: 1 });
    expect((result as { stderr: string }).stderr.trim()).toBe(
      "Error: Cannot reach PostgreSQL at 127.0.0.1:1 (database none): nothing is accepting connections there. Is PostgreSQL running, and is DATABASE_URL right?",
    );
  });
});

describe("account functions", () => {
  it("refuse duplicates and unknown organisations with typed errors", async () => {
    await seedDemoData(db);
    await expect(createOrganization(db, { name: "Acme", slug: "acme" })).rejects.toBeInstanceOf(ConflictError);
    await expect(createUser(db, { organizationSlug: "zzz", email: "z@z.example", name: "Z", password: "a-long-enough-password" })).rejects.toBeInstanceOf(NotFoundError);
  });
});
