import "server-only";

import type { Actor } from "@/lib/auth/sessions";
import type { Database } from "@/lib/db/client";
import { NotFoundError } from "@/lib/errors";

/**
 * "Discard" an unfinished set-up, or "Start over": forgets the run (what it registered, the domain
 * and its addresses, stays). A finished run is not discarded: it is history, not a to-do.
 */
export async function discardSetupRun(db: Database, actor: Pick<Actor, "organizationId">, runId: string): Promise<{ discarded: true }> {
  const deleted = await db.setupRun.deleteMany({ where: { id: runId, organizationId: actor.organizationId, finishedAt: null } });
  if (deleted.count !== 1) throw new NotFoundError("This set-up no longer exists or is finished; nothing was discarded.");
  return { discarded: true };
}
