import "server-only";

import { getConfig } from "@/lib/config/env";
import { MAX_CONFIGURATION_BYTES } from "@/lib/http/body-limits";

import { applyConfiguration, applySchema, configurationSchema, exportConfiguration, planConfiguration } from "../configuration";
import { defineEndpoint, json, parseWith } from "../endpoint";

/**
 * /api/v1/configuration: the whole routing configuration as one document (GET), a plan of what
 * applying a document would change (POST /plan), and the apply itself (POST /apply), all or nothing.
 */


export const exportConfigurationEndpoint = defineEndpoint({ name: "v1.exportConfiguration", ability: "view" }, async ({ db, actor }) => {
  const configuration = await exportConfiguration(db, actor.organizationId);
  return json(200, configuration, { ETag: `"${configuration.revision}"` });
});

export const planConfigurationEndpoint = defineEndpoint(
  { name: "v1.planConfiguration", ability: "manage", maxBodyBytes: MAX_CONFIGURATION_BYTES },
  async ({ db, actor, json: body }) => json(200, await planConfiguration(db, actor.organizationId, parseWith(configurationSchema, body()))),
);

export const applyConfigurationEndpoint = defineEndpoint(
  { name: "v1.applyConfiguration", ability: "manage", maxBodyBytes: MAX_CONFIGURATION_BYTES },
  async ({ db, actor, json: body }) => {
    const input = parseWith(applySchema, body());
    return json(200, await applyConfiguration(db, actor, input, { maxRoutesPerDomain: getConfig().MAX_ROUTES_PER_DOMAIN }));
  },
);
