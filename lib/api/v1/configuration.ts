import "server-only";

import { createHash } from "node:crypto";

import { z } from "zod";

import { fieldErrorsFrom } from "@/lib/actions/define-action";
import { recordAudit } from "@/lib/audit/audit";
import type { Database, DbClient, Prisma } from "@/lib/db/client";
import { StaleVersionError, ValidationError, type FieldErrors } from "@/lib/errors";
import { checkEmailAddress } from "@/lib/routes/address";
import { CATALOGUE_KINDS, type CatalogueKind } from "@/lib/queues/schemas";
import { createCatalogueEntry, deleteCatalogueEntry, updateCatalogueEntry } from "@/lib/queues/commands";
import { listCatalogueEntries } from "@/lib/queues/queries";
import type { CatalogueEntry } from "@/lib/queues/types";
import { createRouteSchema, HISTORY_INCLUSIONS, updateRouteSchema } from "@/lib/routes/schemas";
import { createRoute } from "@/lib/routes/commands/create-route";
import { deleteRoute } from "@/lib/routes/commands/delete-route";
import { updateRoute } from "@/lib/routes/commands/update-route";
import { loadRouteRows } from "@/lib/routes/queries";
import type { ChangeActor, RouteLimits, RouteRow } from "@/lib/routes/types";

/**
 * The organisation's whole routing configuration — queues, skills, languages and routes — as one
 * JSON document, and applying such a document back like Terraform: a plan lists what would be
 * created, changed and deleted; an apply carries the plan's `basedOn` revision, is refused (412)
 * when the configuration changed since, and runs every change in one transaction through the same
 * domain functions as the console (their validation, their audit entries), so it happens whole or
 * not at all. Things are matched by what an admin recognises: catalogue entries by name (case
 * aside), routes by address. Domains are listed for reference but managed through /domains: a
 * route on a domain the organisation does not have is an error in the plan.
 */

export const CONFIGURATION_FORMAT = "email-routing-console/configuration@1";

const name = z.string().trim().min(1).max(120);

const routeEntry = z.object({
  address: z.string().max(400),
  queue: name,
  priority: z.int().min(1).max(10).default(5),
  skills: z.array(name).default([]),
  language: name.nullable().default(null),
  fromName: z.string(),
  fromEmail: z.string().nullable().default(null),
  replyFrom: z.string().nullable().default(null).meta({ description: "Replies come from this other route's address" }),
  autoBcc: z.array(z.string()).default([]),
  historyInclusion: z.enum(HISTORY_INCLUSIONS).default("Optional"),
  allowMultipleActions: z.boolean().default(false),
  spamQueue: name.nullable().default(null),
});

export const configurationSchema = z
  .object({
    format: z.literal(CONFIGURATION_FORMAT),
    revision: z.string().optional().meta({ description: "Ignored on input; GET returns the current one" }),
    queues: z.array(z.object({ name, description: z.string().max(500).default("") })).default([]),
    skills: z.array(z.object({ name })).default([]),
    languages: z.array(z.object({ name })).default([]),
    domains: z.array(z.object({ name: z.string(), kind: z.string(), scenario: z.string(), status: z.string() })).optional().meta({ description: "For reference; domains are managed through /domains" }),
    routes: z.array(routeEntry).default([]),
  })
  .meta({ id: "Configuration" });
export type Configuration = z.output<typeof configurationSchema>;
type RouteEntry = z.output<typeof routeEntry>;

export const applySchema = z
  .object({
    basedOn: z.string().regex(/^[0-9a-f]{64}$/, "Pass the plan's basedOn"),
    configuration: configurationSchema,
  })
  .meta({ id: "ConfigurationApply" });

export type ChangeAction = "create" | "update" | "delete";
export interface PlannedChange {
  action: ChangeAction;
  type: CatalogueKind | "route";
  key: string;
  before?: unknown;
  after?: unknown;
}
export interface Plan {
  basedOn: string;
  changes: PlannedChange[];
  summary: Record<ChangeAction, number>;
}

interface Current {
  configuration: Configuration;
  revision: string;
  catalogues: Record<CatalogueKind, CatalogueEntry[]>;
  routes: RouteRow[];
  domains: { id: string; name: string; displayName: string }[];
}

const lower = (text: string) => text.toLowerCase();

function routeEntryOf(route: RouteRow): RouteEntry {
  return {
    address: route.address,
    queue: route.queueName,
    priority: route.priority,
    skills: [...route.skillNames].sort((a, b) => a.localeCompare(b)),
    language: route.languageName,
    fromName: route.fromName,
    fromEmail: route.fromEmail,
    replyFrom: route.replyAddress,
    autoBcc: route.autoBcc,
    historyInclusion: route.historyInclusion,
    allowMultipleActions: route.allowMultipleActions,
    spamQueue: route.spamQueueName,
  };
}

function revisionOf(configuration: Omit<Configuration, "revision">): string {
  return createHash("sha256").update(JSON.stringify(configuration)).digest("hex");
}

async function readCurrent(db: DbClient, organizationId: string): Promise<Current> {
  const [queues, skills, languages, domains, routeIds] = await Promise.all([
    listCatalogueEntries(db, organizationId, "queue"),
    listCatalogueEntries(db, organizationId, "skill"),
    listCatalogueEntries(db, organizationId, "language"),
    db.domain.findMany({ where: { organizationId }, orderBy: { name: "asc" }, select: { id: true, name: true, displayName: true, kind: true, scenario: true, status: true } }),
    db.route.findMany({ where: { organizationId }, orderBy: { address: "asc" }, select: { id: true } }),
  ]);
  const routes = await loadRouteRows(db, organizationId, routeIds.map((route) => route.id));
  const content = {
    format: CONFIGURATION_FORMAT,
    queues: queues.map((queue) => ({ name: queue.name, description: queue.description })),
    skills: skills.map((skill) => ({ name: skill.name })),
    languages: languages.map((language) => ({ name: language.name })),
    domains: domains.map((domain) => ({ name: domain.displayName, kind: domain.kind, scenario: domain.scenario, status: domain.status })),
    routes: routes.map(routeEntryOf),
  } satisfies Omit<Configuration, "revision">;
  const revision = revisionOf(content);
  return {
    configuration: { ...content, revision } as Configuration,
    revision,
    catalogues: { queue: queues, skill: skills, language: languages },
    routes,
    domains,
  };
}

export async function exportConfiguration(db: DbClient, organizationId: string): Promise<Configuration> {
  return (await readCurrent(db, organizationId)).configuration;
}

const DESIRED_KEY: Record<CatalogueKind, "queues" | "skills" | "languages"> = { queue: "queues", skill: "skills", language: "languages" };

interface ResolvedPlan extends Plan {
  catalogueChanges: { kind: CatalogueKind; action: ChangeAction; entry?: CatalogueEntry; desired?: { name: string; description: string } }[];
  routeChanges: { action: ChangeAction; route?: RouteRow; desired?: RouteEntry; domainId?: string; pattern?: string }[];
}

/** Compares the document with the organisation's configuration; every problem is reported at once. */
function computePlan(current: Current, desired: Configuration): ResolvedPlan {
  const errors: FieldErrors = {};
  const fail = (path: string, message: string) => (errors[path] ??= []).push(message);
  const changes: PlannedChange[] = [];
  const catalogueChanges: ResolvedPlan["catalogueChanges"] = [];

  const finalNames: Record<CatalogueKind, Set<string>> = { queue: new Set(), skill: new Set(), language: new Set() };
  for (const kind of CATALOGUE_KINDS) {
    const existing = new Map(current.catalogues[kind].map((entry) => [lower(entry.name), entry]));
    const seen = new Set<string>();
    desired[DESIRED_KEY[kind]].forEach((item, index) => {
      const key = lower(item.name);
      if (seen.has(key)) return fail(`${DESIRED_KEY[kind]}.${index}.name`, `${item.name} is listed twice`);
      seen.add(key);
      finalNames[kind].add(key);
      const description = "description" in item ? (item.description as string) : "";
      const entry = existing.get(key);
      if (!entry) {
        catalogueChanges.push({ kind, action: "create", desired: { name: item.name, description } });
        changes.push({ action: "create", type: kind, key: item.name, after: kind === "queue" ? { name: item.name, description } : { name: item.name } });
      } else if (entry.name !== item.name || (kind === "queue" && entry.description !== description)) {
        catalogueChanges.push({ kind, action: "update", entry, desired: { name: item.name, description } });
        changes.push({ action: "update", type: kind, key: entry.name, before: kind === "queue" ? { name: entry.name, description: entry.description } : { name: entry.name }, after: kind === "queue" ? { name: item.name, description } : { name: item.name } });
      }
    });
    for (const entry of current.catalogues[kind]) {
      if (!seen.has(lower(entry.name))) {
        catalogueChanges.push({ kind, action: "delete", entry });
        changes.push({ action: "delete", type: kind, key: entry.name, before: kind === "queue" ? { name: entry.name, description: entry.description } : { name: entry.name } });
      }
    }
  }

  const domainsByName = new Map(current.domains.flatMap((domain) => [[lower(domain.name), domain] as const, [lower(domain.displayName), domain] as const]));
  const routesByAddress = new Map(current.routes.map((route) => [lower(route.address), route]));
  const desiredAddresses = new Set<string>();
  const routeChanges: ResolvedPlan["routeChanges"] = [];
  desired.routes.forEach((entry, index) => {
    const at = `routes.${index}`;
    const checked = checkEmailAddress(entry.address);
    if (!checked.ok) return fail(`${at}.address`, checked.error);
    const domain = domainsByName.get(lower(checked.domain));
    if (!domain) return fail(`${at}.address`, `${checked.domain} is not one of your domains; register it first (POST /api/v1/domains)`);
    const key = lower(`${checked.localPart}@${domain.displayName}`);
    if (desiredAddresses.has(key)) return fail(`${at}.address`, `${entry.address} is listed twice`);
    desiredAddresses.add(key);
    if (!finalNames.queue.has(lower(entry.queue))) fail(`${at}.queue`, `No queue named ${entry.queue} in this configuration`);
    if (entry.spamQueue && !finalNames.queue.has(lower(entry.spamQueue))) fail(`${at}.spamQueue`, `No queue named ${entry.spamQueue} in this configuration`);
    if (entry.language && !finalNames.language.has(lower(entry.language))) fail(`${at}.language`, `No language named ${entry.language} in this configuration`);
    for (const skill of entry.skills) if (!finalNames.skill.has(lower(skill))) fail(`${at}.skills`, `No skill named ${skill} in this configuration`);
    const before = routesByAddress.get(key);
    const normalised = { ...entry, address: before?.address ?? `${checked.localPart}@${domain.displayName}`, skills: [...entry.skills].sort((a, b) => a.localeCompare(b)) };
    if (!before) {
      routeChanges.push({ action: "create", desired: normalised, domainId: domain.id, pattern: checked.localPart });
      changes.push({ action: "create", type: "route", key: normalised.address, after: normalised });
    } else if (JSON.stringify(routeEntryOf(before)) !== JSON.stringify(normalised)) {
      routeChanges.push({ action: "update", route: before, desired: normalised, domainId: domain.id, pattern: checked.localPart });
      changes.push({ action: "update", type: "route", key: before.address, before: routeEntryOf(before), after: normalised });
    }
  });
  for (const route of current.routes) {
    if (!desiredAddresses.has(lower(route.address))) {
      routeChanges.push({ action: "delete", route });
      changes.push({ action: "delete", type: "route", key: route.address, before: routeEntryOf(route) });
    }
  }
  if (Object.keys(errors).length > 0) throw new ValidationError("The configuration cannot be applied as it is; nothing was changed.", errors);
  const summary = { create: 0, update: 0, delete: 0 };
  for (const change of changes) summary[change.action] += 1;
  return { basedOn: current.revision, changes, summary, catalogueChanges, routeChanges };
}

export async function planConfiguration(db: DbClient, organizationId: string, desired: Configuration): Promise<Plan> {
  const { basedOn, changes, summary } = computePlan(await readCurrent(db, organizationId), desired);
  return { basedOn, changes, summary };
}

/** The transaction as a Database whose own transactions join it: every domain function's changes commit together or not at all. */
function joined(tx: Prisma.TransactionClient): Database {
  return new Proxy(tx, {
    get(target, property, receiver) {
      if (property === "$transaction") return (work: (inner: Prisma.TransactionClient) => Promise<unknown>) => work(tx);
      return Reflect.get(target, property, receiver) as unknown;
    },
  }) as unknown as Database;
}

const APPLY_LOCK_CLASS = 0x41504c59; // "APLY"

export async function applyConfiguration(db: Database, actor: ChangeActor, input: z.output<typeof applySchema>, limits: RouteLimits): Promise<Plan> {
  const { organizationId } = actor;
  return db.$transaction(
    async (tx) => {
      // One apply per organisation at a time; a console change meanwhile changes the revision.
      await tx.$queryRaw`SELECT 1 AS locked FROM pg_advisory_xact_lock(${APPLY_LOCK_CLASS}::int, hashtext(${organizationId}))`;
      const current = await readCurrent(tx, organizationId);
      if (current.revision !== input.basedOn) {
        throw new StaleVersionError("The configuration changed since this plan was made; nothing was changed. Make a new plan and review it.", { revision: current.revision });
      }
      const plan = computePlan(current, input.configuration);
      const inTx = joined(tx);
      const ids: Record<CatalogueKind, Map<string, string>> = {
        queue: new Map(current.catalogues.queue.map((entry) => [lower(entry.name), entry.id])),
        skill: new Map(current.catalogues.skill.map((entry) => [lower(entry.name), entry.id])),
        language: new Map(current.catalogues.language.map((entry) => [lower(entry.name), entry.id])),
      };
      for (const change of plan.catalogueChanges) {
        if (change.action === "create") {
          const created = await createCatalogueEntry(inTx, actor, change.kind, change.desired!);
          ids[change.kind].set(lower(created.name), created.id);
        } else if (change.action === "update") {
          await updateCatalogueEntry(inTx, actor, change.kind, { ...change.desired!, id: change.entry!.id, version: change.entry!.version });
        }
      }
      const routeIds = new Map(current.routes.map((route) => [lower(route.address), route.id]));
      const valuesOf = (change: ResolvedPlan["routeChanges"][number], withReply: boolean) => {
        const desired = change.desired!;
        return {
          domainId: change.domainId!,
          pattern: change.pattern!,
          queueId: ids.queue.get(lower(desired.queue)),
          priority: desired.priority,
          skillIds: desired.skills.map((skill) => ids.skill.get(lower(skill))),
          languageId: desired.language ? ids.language.get(lower(desired.language)) : null,
          fromName: desired.fromName,
          fromEmail: desired.fromEmail,
          replyRouteId: withReply && desired.replyFrom ? (routeIds.get(lower(desired.replyFrom)) ?? "00000000-0000-0000-0000-000000000000") : null,
          autoBcc: desired.autoBcc,
          historyInclusion: desired.historyInclusion,
          allowMultipleActions: desired.allowMultipleActions,
          spamQueueId: desired.spamQueue ? ids.queue.get(lower(desired.spamQueue)) : null,
        };
      };
      const invalid = (error: z.ZodError, address: string) =>
        new ValidationError(
          `The route ${address} is not valid; nothing was changed.`,
          Object.fromEntries(Object.entries(fieldErrorsFrom(error)).map(([field, messages]) => [`${address}.${field}`, messages])),
        );
      const parseCreate = (value: unknown, address: string) => {
        const parsed = createRouteSchema.safeParse(value);
        if (!parsed.success) throw invalid(parsed.error, address);
        return parsed.data;
      };
      const parseUpdate = (value: unknown, address: string) => {
        const parsed = updateRouteSchema.safeParse(value);
        if (!parsed.success) throw invalid(parsed.error, address);
        return parsed.data;
      };
      // Routes first without their reply route (it may be created in this plan too), then replies.
      const needsReply: { id: string; change: ResolvedPlan["routeChanges"][number] }[] = [];
      for (const change of plan.routeChanges.filter((candidate) => candidate.action === "create")) {
        const created = await createRoute(inTx, actor, parseCreate(valuesOf(change, false), change.desired!.address), limits);
        routeIds.set(lower(created.address), created.id);
        if (change.desired!.replyFrom) needsReply.push({ id: created.id, change });
      }
      for (const change of plan.routeChanges.filter((candidate) => candidate.action === "update")) {
        const route = change.route!;
        await updateRoute(inTx, actor, parseUpdate({ ...valuesOf(change, true), id: route.id, version: route.version }, route.address), limits);
      }
      for (const { id, change } of needsReply) {
        const [row] = await loadRouteRows(tx, organizationId, [id]);
        await updateRoute(inTx, actor, parseUpdate({ ...valuesOf(change, true), id, version: row!.version }, change.desired!.address), limits);
      }
      // Deletes: routes that others reply from go last.
      let deletes = plan.routeChanges.filter((candidate) => candidate.action === "delete").map((change) => change.route!);
      while (deletes.length > 0) {
        const replied = new Set(deletes.flatMap((route) => (route.replyRouteId ? [route.replyRouteId] : [])));
        const now = deletes.filter((route) => !replied.has(route.id));
        const batch = now.length > 0 ? now : deletes;
        for (const route of batch) await deleteRoute(inTx, actor, route.id, route.version);
        deletes = deletes.filter((route) => !batch.includes(route));
      }
      for (const change of plan.catalogueChanges.filter((candidate) => candidate.action === "delete")) {
        await deleteCatalogueEntry(inTx, actor, change.kind, change.entry!.id, change.entry!.version);
      }
      await recordAudit(tx, actor, {
        action: "configuration.apply",
        entityType: "routes",
        entityLabel: `Configuration: ${plan.summary.create} created, ${plan.summary.update} changed, ${plan.summary.delete} deleted`,
        before: { revision: current.revision },
        after: plan.summary,
      });
      return { basedOn: plan.basedOn, changes: plan.changes, summary: plan.summary };
    },
    { maxWait: 10_000, timeout: 120_000 },
  );
}
