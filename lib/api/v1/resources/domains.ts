import "server-only";

import { z } from "zod";

import { auditDomainChange } from "@/lib/domains/audit";
import { addDomain } from "@/lib/domains/commands/add-domain";
import { checkDomain } from "@/lib/domains/commands/check-domain";
import { buildDomainView, getDomain, listDomains, type StoredDomain } from "@/lib/domains/queries";
import { unregisterDomain } from "@/lib/domains/registration";
import { deleteDomainSchema, registerDomainSchema } from "@/lib/domains/schemas";
import { domainDependencies } from "@/lib/domains/settings";
import { getConfig } from "@/lib/config/env";
import type { Database } from "@/lib/db/client";
import { NotFoundError, StaleVersionError } from "@/lib/errors";
import { domainFollowUps, verificationOptions } from "@/lib/jobs/domain-checks";
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

export const deleteDomainQuerySchema = z.object({
  deleteRoutes: booleanField.meta({ description: "Also delete the domain's routes (refused while it has some, without this)" }),
});

async function representation(db: Database, domain: StoredDomain) {
  // The console's page-only fields (grace deadline, zone file's nameservers, the DNS banner) are not part of the API's Domain.
  const { graceEndsAt: _graceEndsAt, nameservers: _nameservers, dnsProblem: _dnsProblem, ...view } = await buildDomainView(db, domain);
  return { ...view, records: view.records.map(({ lastVerifiedAt: _lastVerifiedAt, ...record }) => record), version: domain.version };
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
  const { id } = await addDomain(db, actor, input, domainDependencies(getConfig()), { followUps: domainFollowUps });
  return domainReply(db, 201, await getDomain(db, actor.organizationId, id), { Location: `/api/v1/domains/${id}` });
});

/** POST /domains/{id}/checks: asks DNS again now (custom domains; platform domains are ours and always verified). */
export const checkDomainEndpoint = defineEndpoint<IdParams>({ name: "v1.checkDomain", ability: "manage" }, async ({ db, actor, params }) => {
  const domainId = pathId(params.id, "domain");
  await checkDomain(db, actor.organizationId, { domainId, trigger: "manual" }, () => verificationOptions());
  return domainReply(db, 200, await getDomain(db, actor.organizationId, domainId));
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
      const removed = await unregisterDomain(tx, actor.organizationId, input);
      await auditDomainChange(tx, actor, removed, {
        action: "domain.delete",
        before: { name: removed.name, kind: removed.kind, scenario: removed.scenario, status: removed.status, routes: removed.routeCount },
      });
    });
    return { status: 204 };
  },
);
