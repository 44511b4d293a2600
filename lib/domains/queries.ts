import "server-only";

import { getDb, type Database, type DbClient } from "@/lib/db/client";
import { getDkimPanel, selfTestViewOf } from "@/lib/domains/dkim/queries";
import type { DkimKeyState, DkimPanelView } from "@/lib/domains/dkim/types";
import { isSpfRecord, relativeName, type Diagnosis, type RecordCheck, type Verdict } from "@/lib/dns";
import { NotFoundError } from "@/lib/errors";
import { isUuid } from "@/lib/validation/uuid";

import { domainWideProblem } from "./dns-problem";
import { checkHostname, checkPlatformLabel, isSameOrSubdomain } from "./hostname";
import { hashShareToken, isShareToken } from "./share-tokens";
import type { PlatformSettings } from "./settings";
import { DEFAULT_STATUS_POLICY, type StatusPolicy } from "./status";
import { SUGGESTED_TTL, type Availability, type DomainListItem, type DomainSummary, type DnsProblem, type DomainView, type LabelAvailability, type RecordView, type SharedRecordsView, type ShareLinkView } from "./types";
import { domainZone } from "./zone";

/**
 * What pages, server actions and route handlers read about domains. Every query is scoped by the
 * organisation id from the session; nothing here returns an ownership token or a private key.
 */

/** Columns safe to send to a browser (no private key). */
export const domainPublicSelect = {
  id: true,
  kind: true,
  scenario: true,
  name: true,
  displayName: true,
  platformLabel: true,
  status: true,
  statusChangedAt: true,
  verificationStartedAt: true,
  verifiedAt: true,
  graceStartedAt: true,
  lastCheckedAt: true,
  nextCheckAt: true,
  version: true,
  createdAt: true,
  records: {
    orderBy: { position: "asc" as const },
    // DKIM records: which key they publish (never the key's private half).
    include: {
      dkimKey: {
        select: { id: true, selector: true, state: true, retireAfter: true, selfTestOutcome: true, selfTestCode: true, selfTestDetail: true, selfTestedAt: true },
      },
    },
  },
} as const;

export type StoredDomain = Awaited<ReturnType<typeof getDomain>>;

export async function getDomain(db: DbClient, organizationId: string, domainId: string) {
  const domain = await db.domain.findFirst({ where: { id: domainId, organizationId }, select: domainPublicSelect });
  if (!domain) throw new NotFoundError("This domain does not exist, or it was deleted.");
  return domain;
}

export async function findDomainByName(db: DbClient, organizationId: string, name: string) {
  const checked = checkHostname(name);
  if (!checked.ok) return null;
  return db.domain.findFirst({ where: { name: checked.ascii, organizationId }, select: domainPublicSelect });
}


/** The domain a page's URL names: `/domains/help.acme.com`, or the domain's id; null for anything else (a 404). */
export async function findDomainByKey(db: DbClient, organizationId: string, key: string) {
  const decoded = safeDecode(key);
  if (decoded === null) return null;
  if (isUuid(decoded)) return findOwnDomain(db, organizationId, decoded);
  return findDomainByName(db, organizationId, decoded);
}

/** getDomain, with null for a domain that is not (or no longer) the organisation's. */
export function findOwnDomain(db: DbClient, organizationId: string, domainId: string) {
  return getDomain(db, organizationId, domainId).catch((error: unknown) => {
    if (error instanceof NotFoundError) return null;
    throw error;
  });
}

/** A malformed escape such as `%ZZ` names no domain. */
function safeDecode(key: string): string | null {
  try {
    return decodeURIComponent(key);
  } catch {
    return null;
  }
}

export const TAKEN_MESSAGE =
  "This domain is already registered to another organisation. If it belongs to you, contact support to have it released.";

/** For the wizard's as-you-type check and for registration; says nothing about who holds a taken domain. */
export async function checkCustomDomainAvailability(
  db: DbClient,
  organizationId: string,
  input: string,
  settings: PlatformSettings,
  /** Asks DNS whether anything answers for the name (probeDomainDns); the hint is shown beside "Available". */
  probeDns?: (ascii: string) => Promise<DnsProblem | null>,
): Promise<Availability> {
  const checked = checkHostname(input);
  if (!checked.ok) return { available: false, reason: checked.error };
  if (isSameOrSubdomain(checked.ascii, settings.platformDomain)) {
    return {
      available: false,
      reason: `${settings.platformDomain} is the platform's own domain. To use it, choose one of the platform domain scenarios.`,
    };
  }
  const existing = await db.domain.findUnique({ where: { name: checked.ascii }, select: { organizationId: true } });
  if (existing) {
    return existing.organizationId === organizationId
      ? { available: false, yours: true, reason: "You have already registered this domain: it is already yours, open it from Domains." }
      : { available: false, reason: TAKEN_MESSAGE };
  }
  const problem = probeDns ? await probeDns(checked.ascii).catch(() => null) : null;
  if (!problem) return { available: true, ascii: checked.ascii, unicode: checked.unicode };
  const title =
    problem.code === "resolvers_unreachable"
      ? "Available to register; its DNS could not be checked just now"
      : "Available to register, but its DNS does not answer yet";
  return { available: true, ascii: checked.ascii, unicode: checked.unicode, dnsHint: { title, message: problem.message } };
}

/**
 * For the wizard's as-you-type check and for registration: takes the label as typed, normalises it
 * (checkPlatformLabel) and says why it cannot be had — malformed, reserved, already this
 * organisation's, or taken (without saying by whom).
 */
export async function checkPlatformLabelAvailability(db: DbClient, organizationId: string, input: string, settings: PlatformSettings): Promise<LabelAvailability> {
  const checked = checkPlatformLabel(input);
  if (!checked.ok) return { available: false, reason: checked.error };
  const { label } = checked;
  const name = `${label}.${settings.platformDomain}`;
  if (settings.reservedPlatformLabels.includes(label)) {
    return { available: false, reason: `"${label}" is reserved for the platform's own use. Choose another name, such as your company name.` };
  }
  const taken = await db.domain.findFirst({ where: { OR: [{ platformLabel: label }, { name }] }, select: { organizationId: true } });
  if (taken) {
    return taken.organizationId === organizationId
      ? { available: false, yours: true, reason: `${name} is already yours: your organisation registered it earlier.` }
      : { available: false, reason: `${name} is taken. Try another name.` };
  }
  return { available: true, ascii: name, unicode: name, label };
}

function groupVerdict(records: Pick<RecordView, "kind" | "required" | "verdict">[], kinds: RecordView["kind"][]): Verdict | "pending" | "none" {
  const relevant = records.filter((record) => kinds.includes(record.kind) && record.required);
  if (relevant.length === 0) return "none";
  if (relevant.some((record) => record.verdict === "failed")) return "failed";
  if (relevant.some((record) => record.verdict === "temporary_failure")) return "temporary_failure";
  if (relevant.some((record) => record.verdict === "pending")) return "pending";
  return "verified";
}

export function summarizeGroups(records: Pick<RecordView, "kind" | "required" | "verdict">[]): DomainView["groups"] {
  return {
    ownership: groupVerdict(records, ["ownership"]),
    inbound: groupVerdict(records, ["mx"]),
    sending: groupVerdict(records, ["spf", "dkim"]),
  };
}

/** What a view needs from the monitoring settings (CHECK_GRACE_PERIOD): callers pass the configured policy. */
export type ViewPolicy = Pick<StatusPolicy, "graceHours">;

/**
 * The SPF record to publish. Before a check has seen one at the domain, ours as stored; after, the
 * domain's own record with our include in it (the check's suggestion, or the record itself once it
 * verifies). A second SPF record beside the domain's would break all its mail (permerror), so the
 * records table, Copy all and the zone file never offer one.
 */
function spfToPublish(stored: string, check: RecordCheck | null): string {
  const existing = check?.found.filter(isSpfRecord) ?? [];
  if (!check || existing.length === 0) return stored;
  if (check.verdict === "verified" && existing.length === 1) return existing[0]!;
  for (const diagnosis of check.diagnoses) {
    const suggested = diagnosis.details?.suggested ?? diagnosis.details?.merged;
    if (typeof suggested === "string" && isSpfRecord(suggested)) return suggested;
  }
  return stored;
}

/** What the domain pages and the wizard show: serialisable, without secrets. */
export async function buildDomainView(db: Database, domain: StoredDomain, policy: ViewPolicy = DEFAULT_STATUS_POLICY): Promise<DomainView> {
  const { zone, confirmed } = await domainZone(db, domain);
  const checks = domain.records.map((record) => record.lastCheck as unknown as RecordCheck | null);
  const records: RecordView[] = domain.records.map((record, index) => {
    const check = checks[index] ?? null;
    return {
      id: record.id,
      kind: record.kind,
      type: record.type as "TXT" | "MX",
      name: record.name,
      relativeName: relativeName(record.name, zone),
      value: record.kind === "spf" ? spfToPublish(record.value, check) : record.value,
      preference: record.preference,
      spfInclude: record.spfInclude,
      required: record.required,
      verdict: record.verdict,
      found: check?.found ?? [],
      diagnoses: (check?.diagnoses ?? []).map((diagnosis: Diagnosis) => ({
        code: diagnosis.code,
        severity: diagnosis.severity,
        message: diagnosis.message,
      })),
      lastCheckedAt: record.lastCheckedAt?.toISOString() ?? null,
      lastVerifiedAt: record.lastVerifiedAt?.toISOString() ?? null,
      ttl: SUGGESTED_TTL,
      dkim: record.dkimKey
        ? {
            keyId: record.dkimKey.id,
            selector: record.dkimKey.selector,
            state: record.dkimKey.state as DkimKeyState,
            retireAfter: record.dkimKey.retireAfter?.toISOString() ?? null,
            dnsVerdict: check?.verdict ?? "pending",
            selfTest: selfTestViewOf(record.dkimKey, record.name),
          }
        : null,
    };
  });
  return {
    ...domainSummary(domain),
    zone,
    zoneConfirmed: confirmed,
    nextCheckAt: domain.nextCheckAt?.toISOString() ?? null,
    verificationStartedAt: domain.verificationStartedAt.toISOString(),
    verifiedAt: domain.verifiedAt?.toISOString() ?? null,
    graceEndsAt: graceEndsAt(domain, policy),
    nameservers: nameserversOf(checks),
    dnsProblem: domain.kind === "custom" ? domainWideProblem(zone, checks) : null,
    records,
  };
}

/** When a domain in grace degrades if nothing changes (CHECK_GRACE_PERIOD after the record went missing). */
function graceEndsAt(domain: Pick<StoredDomain, "status" | "graceStartedAt">, policy: ViewPolicy): string | null {
  if (domain.status !== "grace" || !domain.graceStartedAt) return null;
  return new Date(domain.graceStartedAt.getTime() + policy.graceHours * 3_600_000).toISOString();
}

/** The authoritative servers the last check asked (`ns1.acme.com (127.0.0.2:53)` → `ns1.acme.com`). */
function nameserversOf(checks: readonly (RecordCheck | null)[]): string[] {
  const names = checks.flatMap((check) =>
    (check?.servers ?? []).filter((server) => server.role === "authoritative").map((server) => server.server.replace(/\s*\(.*\)$/, "")),
  );
  return [...new Set(names)].filter((name) => /^[a-z0-9.-]+$/i.test(name)).sort();
}

function domainSummary(domain: StoredDomain): DomainSummary {
  return {
    id: domain.id,
    name: domain.name,
    displayName: domain.displayName,
    kind: domain.kind,
    scenario: domain.scenario,
    status: domain.status,
    lastCheckedAt: domain.lastCheckedAt?.toISOString() ?? null,
    // The stored verdicts are the records' (buildDomainView's records carry the same ones).
    groups: summarizeGroups(domain.records),
  };
}

/** One domain as the domain page and the actions' results show it. */
export async function getDomainView(db: Database, organizationId: string, domainId: string, policy?: ViewPolicy): Promise<DomainView> {
  return buildDomainView(db, await getDomain(db, organizationId, domainId), policy);
}

/** Every domain of the organisation, by name (what the Automation API lists). */
export function listDomains(db: DbClient, organizationId: string) {
  return db.domain.findMany({ where: { organizationId }, orderBy: { name: "asc" }, select: domainPublicSelect });
}

/** The domains list: every domain of the organisation with its record groups and its number of routes. */
export async function readDomainList(organizationId: string): Promise<DomainListItem[]> {
  const db = getDb();
  const [domains, routeCounts] = await Promise.all([
    listDomains(db, organizationId),
    db.route.groupBy({ by: ["domainId"], where: { organizationId }, _count: { _all: true } }),
  ]);
  const routesByDomain = new Map(routeCounts.map((row) => [row.domainId, row._count._all]));
  return domains.map((domain) => ({ ...domainSummary(domain), routeCount: routesByDomain.get(domain.id) ?? 0 }));
}

export interface DomainPageData {
  domain: DomainView;
  routeCount: number;
  /** Custom domains only: the DKIM panel. */
  dkim: DkimPanelView | null;
  /** Custom domains only: its records share links. */
  shareLinks: ShareLinkView[];
}

/** The domain page, by the name or id in its URL; null when the organisation has no such domain. */
export async function readDomainPage(organizationId: string, key: string, settings: { retiringPeriodMs: number } & ViewPolicy): Promise<DomainPageData | null> {
  const db = getDb();
  const stored = await findDomainByKey(db, organizationId, key);
  if (!stored) return null;
  const [domain, routeCount, dkim, shareLinks] = await Promise.all([
    buildDomainView(db, stored, settings),
    db.route.count({ where: { domainId: stored.id, organizationId } }),
    stored.kind === "custom" ? getDkimPanel(db, organizationId, stored.id, settings) : null,
    stored.kind === "custom" ? listShareLinks(db, organizationId, stored.id) : [],
  ]);
  return { domain, routeCount, dkim, shareLinks };
}

/** The domain's records share links, newest first, with whether each still works. */
export async function listShareLinks(db: DbClient, organizationId: string, domainId: string, now = new Date()): Promise<ShareLinkView[]> {
  const links = await db.recordShareLink.findMany({
    where: { organizationId, domainId },
    orderBy: { createdAt: "desc" },
    take: 20,
    select: { id: true, createdAt: true, createdByEmail: true, expiresAt: true, revokedAt: true },
  });
  return links.map((link) => ({
    id: link.id,
    createdAt: link.createdAt.toISOString(),
    createdByEmail: link.createdByEmail,
    expiresAt: link.expiresAt.toISOString(),
    revokedAt: link.revokedAt?.toISOString() ?? null,
    state: link.revokedAt ? "revoked" : link.expiresAt <= now ? "expired" : "active",
  }));
}

/**
 * The public share page: the records of the one domain a working link names, with their latest
 * verdicts. Null for a malformed, unknown, revoked or expired token — the page says the same
 * thing for all of them, so a visitor learns nothing about which.
 */
export async function readSharedRecords(
  token: string,
  settings: { secretsKey: string | undefined } & Partial<ViewPolicy>,
  now = new Date(),
): Promise<SharedRecordsView | null> {
  const { secretsKey } = settings;
  if (!secretsKey || !isShareToken(token)) return null;
  const db = getDb();
  const link = await db.recordShareLink.findUnique({
    where: { tokenHash: hashShareToken(token, secretsKey) },
    select: { organizationId: true, domainId: true, expiresAt: true, revokedAt: true },
  });
  if (!link || link.revokedAt || link.expiresAt <= now) return null;
  const domain = await findOwnDomain(db, link.organizationId, link.domainId);
  if (!domain || domain.kind !== "custom") return null;
  return { domain: await buildDomainView(db, domain, { graceHours: settings.graceHours ?? DEFAULT_STATUS_POLICY.graceHours }), expiresAt: link.expiresAt.toISOString() };
}
