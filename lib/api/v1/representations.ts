import { z } from "zod";

import { API_KEY_ABILITIES } from "@/lib/api-keys/types";
import { SCENARIOS } from "@/lib/domains/types";
import { MESSAGE_STATUSES } from "@/lib/messages/types";
import { HISTORY_INCLUSIONS, ROUTE_STATUSES } from "@/lib/routes/schemas";

/**
 * What the Automation API answers, as zod schemas: the OpenAPI document's response schemas come
 * from these (lib/api/v1/openapi.ts), and the API suite validates every response against that
 * document. Request bodies use the console's own input schemas (lib/routing, lib/domains).
 */

const uuid = z.uuid();
const timestamp = z.string().meta({ format: "date-time" });
const domainStatus = z.enum(["pending", "verified", "grace", "degraded", "failed"]);
const verdict = z.string().meta({ description: "pass, fail, warn, pending, …" });

export const problemSchema = z
  .object({
    type: z.string().meta({ description: "A URN naming the kind of problem" }),
    title: z.string(),
    status: z.int(),
    detail: z.string(),
    errors: z.record(z.string(), z.array(z.string())).optional().meta({ description: "Messages per field (dotted path), for 422" }),
    current: z.unknown().optional().meta({ description: "For 412: the resource as it is now" }),
    reference: z.string().optional().meta({ description: "For 500: quote it to support" }),
  })
  .meta({ id: "Problem", description: "RFC 9457 problem details" });

export const routeSchema = z
  .object({
    id: uuid,
    version: z.int().min(1),
    domainId: uuid,
    domainName: z.string(),
    domainStatus,
    status: z.enum(ROUTE_STATUSES),
    pattern: z.string(),
    address: z.string(),
    queueId: uuid,
    queueName: z.string(),
    priority: z.int().min(1).max(10),
    skillIds: z.array(uuid),
    skillNames: z.array(z.string()),
    languageId: uuid.nullable(),
    languageName: z.string().nullable(),
    fromName: z.string(),
    fromEmail: z.string().nullable(),
    replyRouteId: uuid.nullable(),
    replyAddress: z.string().nullable(),
    autoBcc: z.array(z.string()),
    historyInclusion: z.enum(HISTORY_INCLUSIONS),
    allowMultipleActions: z.boolean(),
    spamQueueId: uuid.nullable(),
    spamQueueName: z.string().nullable(),
    updatedAt: timestamp,
  })
  .strict()
  .meta({ id: "Route" });

export const routePageSchema = z
  .object({
    items: z.array(routeSchema),
    nextCursor: z.string().nullable().meta({ description: "Pass as `cursor` for the next page; null on the last page" }),
  })
  .strict()
  .meta({ id: "RoutePage" });

export const queueSchema = z
  .object({ id: uuid, version: z.int().min(1), name: z.string(), description: z.string(), routeCount: z.int().min(0) })
  .strict()
  .meta({ id: "Queue" });

export const catalogueEntrySchema = z
  .object({ id: uuid, version: z.int().min(1), name: z.string(), routeCount: z.int().min(0) })
  .strict()
  .meta({ id: "CatalogueEntry", description: "A skill or a language" });

const recordSchema = z
  .object({
    id: uuid,
    kind: z.enum(["ownership", "mx", "spf", "dkim", "dmarc"]),
    type: z.enum(["TXT", "MX"]),
    name: z.string(),
    relativeName: z.string(),
    value: z.string(),
    preference: z.int().nullable(),
    spfInclude: z.string().nullable(),
    required: z.boolean(),
    verdict,
    found: z.array(z.string()),
    diagnoses: z.array(z.object({ code: z.string(), severity: z.string(), message: z.string() })),
    lastCheckedAt: timestamp.nullable(),
    ttl: z.int(),
    dkim: z.looseObject({ keyId: uuid, selector: z.string(), state: z.string() }).nullable(),
  })
  .meta({ id: "DomainRecord" });

export const domainSchema = z
  .object({
    id: uuid,
    version: z.int().min(1),
    name: z.string(),
    displayName: z.string(),
    kind: z.enum(["custom", "platform"]),
    scenario: z.enum(SCENARIOS),
    status: domainStatus,
    zone: z.string(),
    zoneConfirmed: z.boolean(),
    lastCheckedAt: timestamp.nullable(),
    nextCheckAt: timestamp.nullable(),
    verificationStartedAt: timestamp,
    verifiedAt: timestamp.nullable(),
    groups: z.object({ ownership: verdict, inbound: verdict, sending: verdict }),
    records: z.array(recordSchema).meta({ description: "The DNS records to publish, each with its latest verdict" }),
  })
  .strict()
  .meta({ id: "Domain" });

export const routeTestResultSchema = z
  .looseObject({
    input: z.string(),
    address: z.string().nullable(),
    outcome: z.enum(["routed", "invalid_address", "unknown_domain", "domain_not_verified", "domain_error", "no_route"]),
    summary: z.string(),
    domain: z.looseObject({ id: uuid, name: z.string(), status: domainStatus }).nullable(),
    route: z.looseObject({ id: uuid, address: z.string(), queueName: z.string() }).nullable(),
    suggestions: z.array(z.string()),
  })
  .meta({ id: "RouteTestResult" });

const authSummary = z.object({ spf: z.string(), dkim: z.string(), dmarc: z.string() });

export const messageRowSchema = z
  .discriminatedUnion("kind", [
    z.looseObject({
      kind: z.literal("delivery"),
      id: uuid,
      messageId: uuid,
      at: timestamp,
      status: z.enum(MESSAGE_STATUSES),
      envelopeFrom: z.string(),
      recipient: z.string(),
      routeId: uuid.nullable(),
      routeAddress: z.string(),
      queueId: uuid.nullable(),
      queueName: z.string(),
      auth: authSummary,
    }),
    z.looseObject({
      kind: z.literal("refusal"),
      id: uuid,
      at: timestamp,
      status: z.literal("refused"),
      code: z.int(),
      reason: z.string(),
      explanation: z.string(),
    }),
  ])
  .meta({ id: "MessageListRow" });

export const messagePageSchema = z
  .object({
    items: z.array(messageRowSchema),
    nextCursor: z.string().nullable().meta({ description: "Older rows: pass as `cursor`; null at the end of the log" }),
    previousCursor: z.string().nullable().meta({ description: "Newer rows: pass as `before`; null at the top" }),
  })
  .strict()
  .meta({ id: "MessagePage" });

export const messageDetailSchema = z
  .looseObject({
    id: uuid,
    receivedAt: timestamp,
    envelopeFrom: z.string(),
    subject: z.string().nullable(),
    size: z.int(),
    deliveries: z.array(z.looseObject({ id: uuid, recipient: z.string(), status: z.string(), routeAddress: z.string(), queueName: z.string() })),
    auth: z.array(z.looseObject({ check: z.string(), verdict: z.string(), summary: z.string() })),
    headers: z.array(z.unknown()),
    hops: z.array(z.unknown()),
  })
  .meta({ id: "Message" });

export const apiKeySchema = z
  .object({
    id: uuid,
    name: z.string(),
    ability: z.enum(API_KEY_ABILITIES),
    prefix: z.string(),
    status: z.enum(["active", "expired", "revoked"]),
    createdAt: timestamp,
    createdByEmail: z.string(),
    expiresAt: timestamp.nullable(),
    lastUsedAt: timestamp.nullable(),
    revokedAt: timestamp.nullable(),
    revokedByEmail: z.string().nullable(),
  })
  .strict()
  .meta({ id: "ApiKey" });

export function listOf<T extends z.ZodType>(item: T, id: string) {
  return z.object({ items: z.array(item) }).strict().meta({ id });
}

export const planSchema = z
  .object({
    basedOn: z.string().meta({ description: "The revision the plan was made against; apply refuses it once the configuration changed" }),
    changes: z.array(
      z.object({
        action: z.enum(["create", "update", "delete"]),
        type: z.enum(["queue", "skill", "language", "route"]),
        key: z.string().meta({ description: "The name or address" }),
        before: z.unknown().optional(),
        after: z.unknown().optional(),
      }),
    ),
    summary: z.object({ create: z.int(), update: z.int(), delete: z.int() }),
  })
  .strict()
  .meta({ id: "ConfigurationPlan" });
