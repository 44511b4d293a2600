"use server";

import { revalidatePath } from "next/cache";

import { defineAction } from "@/lib/actions/define-action";
import { createApiKey, revokeApiKey } from "@/lib/api-keys/commands";
import { createApiKeySchema, revokeApiKeySchema } from "@/lib/api-keys/schemas";

/** Settings > API keys: create (the secret comes back once, here) and revoke. Manage users only. */

export const createApiKeyAction = defineAction(
  { name: "createApiKey", ability: "manage", input: createApiKeySchema },
  async (input, { actor, db }) => {
    const created = await createApiKey(db, actor, input);
    revalidatePath("/settings/api-keys");
    return created;
  },
);

export const revokeApiKeyAction = defineAction(
  { name: "revokeApiKey", ability: "manage", input: revokeApiKeySchema },
  async (input, { actor, db }) => {
    const key = await revokeApiKey(db, actor, input.id);
    revalidatePath("/settings/api-keys");
    return key;
  },
);
