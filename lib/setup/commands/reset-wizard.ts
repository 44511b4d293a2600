import "server-only";

import type { Actor } from "@/lib/auth/sessions";
import type { Database } from "@/lib/db/client";

/** "Start over": forgets the administrator's place in the wizard (what it set up stays). */
export async function resetWizard(db: Database, actor: Pick<Actor, "userId">): Promise<{ reset: true }> {
  await db.wizardSession.deleteMany({ where: { userId: actor.userId } });
  return { reset: true };
}
