import "server-only";

import { getConfig, type AppConfig } from "@/lib/config/env";
import { getDb, type DbClient } from "@/lib/db/client";
import type { Hop } from "@/lib/mail/types";
import { NotFoundError } from "@/lib/errors";

import { listTestTargets } from "./targets";
import { buildTrace, type TraceEvidence, type TraceRow } from "./trace";
import type { MxRecord, SendFailure, SmtpRecord, TestMessageSummary, TestMessageTrace, TestTarget } from "./types";

/**
 * What pages and route handlers read about test messages. Every query is scoped by the
 * organisation; the gateway's rows are found by the message's token (or its unique envelope
 * sender, for refusals before DATA), and only deliveries in this organisation count.
 */
export interface TraceSettings {
  timeoutMs: number;
}

const rowSelect = {
  id: true,
  token: true,
  envelopeFrom: true,
  targetAddress: true,
  routeAddress: true,
  viaRedirect: true,
  scenario: true,
  domainId: true,
  createdAt: true,
  createdByEmail: true,
  status: true,
  sentAt: true,
  mx: true,
  smtp: true,
  failure: true,
  failureDetail: true,
} as const;

type StoredRow = { organizationId?: string; token: string; envelopeFrom: string } & Omit<TraceRow, "mx" | "smtp" | "failure"> & {
  mx: unknown;
  smtp: unknown;
  failure: string | null;
};

async function evidenceFor(db: DbClient, organizationId: string, row: StoredRow): Promise<TraceEvidence> {
  const [messages, refusals] = await Promise.all([
    db.inboundMessage.findMany({
      where: { traceToken: row.token, deliveries: { some: { organizationId } } },
      orderBy: { receivedAt: "asc" },
      take: 3,
      select: {
        id: true,
        receivedAt: true,
        hops: true,
        deliveries: {
          where: { organizationId },
          select: { recipient: true, routeAddress: true, originalRecipient: true, queueName: true, status: true },
        },
      },
    }),
    db.inboundRefusal.findMany({
      // Another organisation's refusal (a redirect to its address) would name its routes: not shown.
      where: {
        createdAt: { gte: row.createdAt },
        OR: [{ traceToken: row.token }, { envelopeFrom: row.envelopeFrom }],
        AND: [{ OR: [{ organizationId }, { organizationId: null }] }],
      },
      orderBy: { createdAt: "asc" },
      take: 3,
      select: { id: true, createdAt: true, recipient: true, reply: true, reason: true, explanation: true },
    }),
  ]);
  return { messages: messages.map((message) => ({ ...message, hops: message.hops as unknown as Hop[] })), refusals };
}

function traceRow(row: StoredRow): TraceRow {
  return { ...row, mx: row.mx as MxRecord | null, smtp: row.smtp as SmtpRecord | null, failure: row.failure as SendFailure | null };
}

export async function getTestMessageTrace(
  db: DbClient,
  organizationId: string,
  id: string,
  settings: TraceSettings,
  now: Date = new Date(),
): Promise<TestMessageTrace> {
  const row = await db.testMessage.findFirst({ where: { id, organizationId }, select: rowSelect });
  if (!row) throw new NotFoundError("This test message does not exist (or belongs to another organisation).");
  return buildTrace(traceRow(row), await evidenceFor(db, organizationId, row), { now, timeoutMs: settings.timeoutMs });
}

/** The latest test messages (of one domain, or the organisation's), newest first, with how each ended. */
export async function listRecentTestMessages(
  db: DbClient,
  organizationId: string,
  options: { domainId?: string; limit?: number },
  settings: TraceSettings,
  now: Date = new Date(),
): Promise<TestMessageSummary[]> {
  const rows = await db.testMessage.findMany({
    where: { organizationId, ...(options.domainId ? { domainId: options.domainId } : {}) },
    orderBy: { createdAt: "desc" },
    take: options.limit ?? 5,
    select: rowSelect,
  });
  return Promise.all(
    rows.map(async (row) => {
      const trace = buildTrace(traceRow(row), await evidenceFor(db, organizationId, row), { now, timeoutMs: settings.timeoutMs });
      return { id: row.id, targetAddress: row.targetAddress, createdAt: trace.createdAt, createdBy: trace.createdBy, state: trace.state };
    }),
  );
}

export async function getTestTargets(db: DbClient, organizationId: string, options: { domainId?: string } = {}): Promise<TestTarget[]> {
  return listTestTargets(db, organizationId, options);
}

export function traceSettings(config: AppConfig): TraceSettings {
  return { timeoutMs: config.TEST_MESSAGE_TIMEOUT };
}

// Entry points for pages and route handlers (which never touch the database client themselves).

export interface TestMessagePanelData {
  targets: TestTarget[];
  recent: TestMessageSummary[];
  /** The newest test message's trace, so the panel opens on it. */
  latest: TestMessageTrace | null;
}

/** The domain page's "Send a test message" panel: the addresses to pick from and the latest traces. */
export async function readTestMessagePanel(organizationId: string, domainId?: string): Promise<TestMessagePanelData> {
  const db = getDb();
  const settings = traceSettings(getConfig());
  const [targets, recent] = await Promise.all([
    getTestTargets(db, organizationId, { domainId }),
    listRecentTestMessages(db, organizationId, { domainId, limit: 5 }, settings),
  ]);
  const latest = recent[0] ? await getTestMessageTrace(db, organizationId, recent[0].id, settings) : null;
  return { targets, recent, latest };
}
