import "server-only";

import { z } from "zod";

import { recordAudit } from "@/lib/audit/audit";
import type { Database } from "@/lib/db/client";
import { domainDependencies, verificationOptions } from "@/lib/domains/domain-context";
import { deleteDomainSchema, registerDomainSchema } from "@/lib/domains/domain-schemas";
import { deleteDomain, getDomain, listDomains, registerDomain } from "@/lib/domains/domains";
import { verifyAndRecord } from "@/lib/domains/verification";
import { buildDomainView } from "@/lib/domains/view";
import { NotFoundError, StaleVersionError } from "@/lib/errors";
import { scheduleDomainChecks } from "@/lib/jobs/domain-checks";
import { booleanField } from "@/lib/routes/schemas";

import { defineEndpoint, json, parseWith, type EndpointContext, type Reply } from "../endpoint";
import { pathId } from "../path";
import { etagOf, requiredIfMatch } from "../preconditions";

/**
 * /api/v1/domains: register (custom or platform), read with the records to publish and their
 * latest verdicts, check now, delete. The same domain functions, audit entries and follow-ups as
 * the Domains page's server actions (app/(console)/domains/actions.ts).
 */

type IdParams = { id: string };
type StoredDomain = Awaited<ReturnType<typeof getDomain>>;

export const deleteDomainQuerySchema = z.object({
  deleteRoutes: booleanField.meta({ description: "Also delete the domain's routes (refused while it has some, without this)" }),
});

async function representation(db: Database, domain: StoredDomain) {
  return { ...(await buildDomainView(db, domain)), version: domain.version };
}

async function domainReply(db: Database, status: number, domain: StoredDomain, headers: Record<string, string> = {}): Promise<Reply> {
  return json(status, await representation(db, domain), { ETag: etagOf(domain.version), ...headers });
}

async function currentDomain(context: EndpointContext<IdParams>): Promise<Reply> {
  return domainReply(context.db, 200, await getDomain(context.db, context.actor.organizationId, pathId(context.params.id, "domain")));
}

export const listDomainsEndpoint = defineEndpoint({ name: "v1.listDomains", ability: "view" }, async ({ db, actor }) => {
  const domains = await listDomains(db, actor.organizationId);
  const items = [];
  for (const domain of domains) items.push(await representation(db, domain));
  return json(200, { items });
});

export const getDomainEndpoint = defineEndpoint<IdParams>({ name: "v1.getDomain", ability: "view" }, currentDomain);

export const registerDomainEndpoint = defineEndpoint({ name: "v1.registerDomain", ability: "manage" }, async ({ db, actor, json: body }) => {
  const input = parseWith(registerDomainSchema, body());
  const deps = domainDependencies();
  const created = await db.$transaction(async (tx) => {
    const domain = await registerDomain(tx, actor.organizationId, input, deps);
    await recordAudit(tx, actor, {
      action: "domain.register",
      entityType: "domain",
      entityId: domain.id,
      entityLabel: domain.displayName,
      after: { name: domain.name, kind: domain.kind, scenario: domain.scenario, status: domain.status },
    });
    return domain;
  });
  // After the commit: the worker must find the domain when the job runs.
  await scheduleDomainChecks(created.id, { db });
  return domainReply(db, 201, await getDomain(db, actor.organizationId, created.id), { Location: `/api/v1/domains/${created.id}` });
});

/** POST /domains/{id}/checks: asks DNS again now (custom domains; platform domains are ours and always verified). */
export const checkDomainEndpoint = defineEndpoint<IdParams>({ name: "v1.checkDomain", ability: "manage" }, async ({ db, actor, params }) => {
  const domain = await getDomain(db, actor.organizationId, pathId(params.id, "domain"));
  if (domain.kind === "custom") await verifyAndRecord(db, actor.organizationId, domain.id, "manual", await verificationOptions());
  return domainReply(db, 200, await getDomain(db, actor.organizationId, domain.id));
});

export const deleteDomainEndpoint = defineEndpoint<IdParams>(
  { name: "v1.deleteDomain", ability: "manage", current: currentDomain },
  async ({ db, actor, params, request, query }) => {
    const id = pathId(params.id, "domain");
    const expected = requiredIfMatch(request);
    const { deleteRoutes } = parseWith(deleteDomainQuerySchema, query());
    await db.$transaction(async (tx) => {
      // The row lock holds the version still until the delete commits (a check finishing meanwhile waits).
      const [locked] = await tx.$queryRaw<{ version: number; name: string }[]>`
        SELECT version, name FROM domains WHERE id = ${id}::uuid AND organization_id = ${actor.organizationId}::uuid FOR UPDATE`;
      if (!locked) throw new NotFoundError("This domain does not exist, or it was deleted.");
      if (expected !== null && locked.version !== expected) throw new StaleVersionError("This domain changed since you read it (a check may have changed its status); nothing was deleted.", null);
      // The If-Match names the domain exactly: it stands for the console's "type the name to confirm".
      const input = parseWith(deleteDomainSchema, { domainId: id, confirmation: locked.name, deleteRoutes });
      const removed = await deleteDomain(tx, actor.organizationId, input);
      await recordAudit(tx, actor, {
        action: "domain.delete",
        entityType: "domain",
        entityId: removed.id,
        entityLabel: removed.displayName,
        before: { name: removed.name, kind: removed.kind, scenario: removed.scenario, status: removed.status, routes: removed.routeCount },
      });
    });
    return { status: 204 };
  },
);
