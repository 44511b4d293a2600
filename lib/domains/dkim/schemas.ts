import { z } from "zod";

/** Inputs of the DKIM panel's actions; shared by the panel and the server actions. */
export const dkimDomainSchema = z.object({ domainId: z.uuid("Unknown domain") });

export const dkimKeySchema = z.object({
  domainId: z.uuid("Unknown domain"),
  keyId: z.uuid("Unknown key"),
});
