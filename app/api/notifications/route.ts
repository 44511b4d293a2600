import { checkAccess } from "@/lib/auth/gate";
import { getDb } from "@/lib/db/client";
import { getNotificationFeed } from "@/lib/notifications/notifications";

/** The header bell's feed: unread count and the latest notifications of the signed-in admin's organisation. */
export const dynamic = "force-dynamic";

const BELL_SIZE = 10;

export async function GET(): Promise<Response> {
  const access = await checkAccess("view");
  if (!access.ok) {
    const status = access.decision.reason === "unauthenticated" ? 401 : 403;
    return Response.json({ error: status === 401 ? "Sign in to see notifications." : "You cannot see this organisation's notifications." }, { status });
  }
  const feed = await getNotificationFeed(getDb(), access.actor, BELL_SIZE);
  return Response.json(feed, { headers: { "cache-control": "no-store" } });
}
