"use server";

import { revalidatePath } from "next/cache";

import { defineAction } from "@/lib/actions/define-action";
import { getConfig } from "@/lib/config/env";
import { createShareLink } from "@/lib/domains/commands/create-share-link";
import { revokeShareLink } from "@/lib/domains/commands/revoke-share-link";
import { getDomain, listShareLinks } from "@/lib/domains/queries";
import { createShareLinkSchema, domainIdSchema, revokeShareLinkSchema } from "@/lib/domains/schemas";

/** A read-only link to the domain's records for whoever runs its DNS; the token is in this answer only. */
export const createShareLinkAction = defineAction({ name: "createShareLink", ability: "manage", input: createShareLinkSchema }, async (input, { actor, db }) => {
  const link = await createShareLink(db, actor, input, { secretsKey: getConfig().SECRETS_KEY });
  return { ...link, links: await listShareLinks(db, actor.organizationId, input.domainId) };
});

export const revokeShareLinkAction = defineAction({ name: "revokeShareLink", ability: "manage", input: revokeShareLinkSchema }, async (input, { actor, db }) => {
  const { domainId } = await revokeShareLink(db, actor, input);
  revalidatePath("/domains");
  return listShareLinks(db, actor.organizationId, domainId);
});

export const listShareLinksAction = defineAction({ name: "listShareLinks", ability: "view", input: domainIdSchema }, async (input, { actor, db }) => {
  await getDomain(db, actor.organizationId, input.domainId); // another organisation's domain is not found
  return listShareLinks(db, actor.organizationId, input.domainId);
});
