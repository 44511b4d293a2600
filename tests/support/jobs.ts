import { randomBytes, randomUUID } from "node:crypto";

import { loadConfig, type AppConfig } from "@/lib/config/env";
import type { Database } from "@/lib/db/client";
import { generateDkimKey } from "@/lib/domains/dkim/keys";
import { buildExpectedRecords, storedFromExpected } from "@/lib/domains/expected-records";
import type { PlatformSettings } from "@/lib/domains/settings";
import { JOB_SCHEMA, QUEUES } from "@/lib/jobs/queues";

/** Configuration as the console would load it from the test's environment plus `overrides`. */
export function configWith(overrides: Record<string, string> = {}): AppConfig {
  const loaded = loadConfig({ ...process.env, ...overrides });
  if (!loaded.ok) throw new Error(`test configuration is invalid: ${JSON.stringify(loaded.problems)}`);
  return loaded.config;
}

export interface JobRow {
  id: string;
  state: string;
  start_after: Date;
  retry_count: number;
  singleton_key: string | null;
}

/** pg-boss's jobs for one singleton key (a domain id or a delivery id), as PostgreSQL holds them. */
export async function jobsFor(db: Database, queue: string, key: string): Promise<JobRow[]> {
  const exists = await db.$queryRawUnsafe<{ found: boolean }[]>(`SELECT to_regclass('${JOB_SCHEMA}.job') IS NOT NULL AS found`);
  if (!exists[0]?.found) return [];
  return db.$queryRawUnsafe<JobRow[]>(
    `SELECT id::text AS id, state::text AS state, start_after, retry_count, singleton_key
       FROM ${JOB_SCHEMA}.job WHERE name = $1 AND singleton_key = $2 ORDER BY created_on`,
    queue,
    key,
  );
}

export const queuedChecks = async (db: Database, domainId: string) =>
  (await jobsFor(db, QUEUES.domainCheck, domainId)).filter((job) => job.state === "created" || job.state === "retry");

/** Polls `probe` until it returns something truthy, or fails with `what` after `timeoutMs`. */
export async function eventually<T>(what: string, probe: () => Promise<T | null | undefined | false>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * SECRETS_KEY of the console under test: integration tests set it in their own environment
 * (setup-integration.ts); browser tests' console has TEST_APP_ENV's, which this repeats.
 */
const consoleSecretsKey = () => process.env.SECRETS_KEY ?? Buffer.alloc(32, 2).toString("base64");

const sharedDkimKeys = new Map<string, ReturnType<typeof generateDkimKey>>();

/**
 * A custom domain with its expected records and its active DKIM key, inserted directly:
 * registerDomain would generate a 2048-bit RSA key per domain (~0.7 s each), which tests about
 * checking and scheduling do not need. One key is generated per test file and shared; its private
 * key is sealed with the console's SECRETS_KEY, so the console's DKIM self-test can use it.
 */
export async function createCustomDomain(
  db: Database,
  organizationId: string,
  name: string,
  settings: PlatformSettings,
  options: { now?: Date; status?: "pending" | "verified"; secretsKey?: string } = {},
) {
  const secretsKey = options.secretsKey ?? consoleSecretsKey();
  if (!sharedDkimKeys.has(secretsKey)) sharedDkimKeys.set(secretsKey, generateDkimKey(secretsKey));
  const dkim = await sharedDkimKeys.get(secretsKey)!;
  const now = options.now ?? new Date();
  const ownershipToken = randomBytes(24).toString("base64url");
  const dkimKeyId = randomUUID();
  const records = buildExpectedRecords({ name, ownershipToken, dkimSelector: settings.dkimSelector, dkimPublicKey: dkim.publicKey }, settings);
  const domain = await db.domain.create({
    data: {
      organizationId,
      kind: "custom",
      scenario: "own_domain",
      name,
      displayName: name,
      ownershipToken,
      status: options.status ?? "pending",
      statusChangedAt: now,
      verificationStartedAt: now,
      ...(options.status === "verified" ? { verifiedAt: now } : {}),
      dkimKeys: {
        create: { id: dkimKeyId, selector: settings.dkimSelector, publicKey: dkim.publicKey, privateKeySealed: dkim.privateKeySealed, state: "active", activatedAt: now },
      },
    },
  });
  await db.domainRecord.createMany({
    data: records.map((record, position) => ({ domainId: domain.id, ...storedFromExpected(record, position), ...(record.kind === "dkim" ? { dkimKeyId } : {}) })),
  });
  return db.domain.findUniqueOrThrow({ where: { id: domain.id }, include: { records: { orderBy: { position: "asc" } } } });
}
