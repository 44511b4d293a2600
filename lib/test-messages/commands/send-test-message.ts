import "server-only";

import { randomBytes } from "node:crypto";

import { recordAudit } from "@/lib/audit/audit";
import type { Actor } from "@/lib/auth/sessions";
import type { Database } from "@/lib/db/client";
import { LimitError, ValidationError } from "@/lib/errors";
import { enqueueTestMessage } from "@/lib/jobs/enqueue";
import { log } from "@/lib/log";

import type { sendTestMessageSchema } from "../schemas";
import type { TestMessageSettings } from "../settings";
import { resolveTestTarget } from "../targets";

import type { z } from "zod";

/**
 * "Send a test message": checks that the address is one of the organisation's routed addresses
 * (or a redirect original), that the organisation is within its hourly allowance, records the
 * message and its audit entry in one transaction, and queues the sending job after the commit.
 * The allowance is counted under a per-organisation lock, so concurrent clicks cannot exceed it.
 */
export interface SentTestMessage {
  id: string;
  targetAddress: string;
  routeAddress: string;
  viaRedirect: boolean;
}

const HOUR_MS = 3_600_000;

export async function sendTestMessage(
  db: Database,
  actor: Pick<Actor, "organizationId" | "userId" | "email">,
  input: z.output<typeof sendTestMessageSchema>,
  settings: Pick<TestMessageSettings, "perHour" | "platformDomain">,
  now: Date = new Date(),
): Promise<SentTestMessage> {
  const created = await db.$transaction(async (tx) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended(${`test-messages:${actor.organizationId}`}, 0))`;
    const since = new Date(now.getTime() - HOUR_MS);
    const recent = await tx.testMessage.findMany({
      where: { organizationId: actor.organizationId, createdAt: { gt: since } },
      orderBy: { createdAt: "asc" },
      select: { createdAt: true },
    });
    if (recent.length >= settings.perHour) {
      const nextAt = new Date(recent[recent.length - settings.perHour]!.createdAt.getTime() + HOUR_MS);
      const minutes = Math.max(1, Math.ceil((nextAt.getTime() - now.getTime()) / 60_000));
      throw new LimitError(
        `Your organisation has sent ${recent.length} test messages in the last hour, the most allowed (${settings.perHour}); you can send another in ${minutes} minute${minutes === 1 ? "" : "s"}.`,
      );
    }
    const resolved = await resolveTestTarget(tx, actor.organizationId, input.address);
    if (!resolved.ok) throw new ValidationError(resolved.error, { address: [resolved.error] });
    const { target } = resolved;
    const token = randomBytes(24).toString("hex");
    const row = await tx.testMessage.create({
      data: {
        organizationId: actor.organizationId,
        token,
        targetAddress: target.address,
        routeAddress: target.routeAddress,
        viaRedirect: target.viaRedirect,
        domainId: target.domain.id,
        scenario: target.domain.scenario,
        envelopeFrom: `trace-${token}@${settings.platformDomain}`,
        createdById: actor.userId,
        createdByEmail: actor.email,
        createdAt: now,
      },
      select: { id: true, targetAddress: true, routeAddress: true, viaRedirect: true },
    });
    await recordAudit(tx, actor, {
      action: "test_message.send",
      entityType: "test_message",
      entityId: row.id,
      entityLabel: row.targetAddress,
      after: { to: row.targetAddress, reaches: row.routeAddress, throughYourMailServer: row.viaRedirect },
    });
    return row;
  });
  try {
    await enqueueTestMessage(created.id);
  } catch (error) {
    // The trace says so at its deadline ("not sent"); the admin can send another.
    log.warn({ err: error, testMessageId: created.id }, "could not queue a test message");
  }
  return created;
}
