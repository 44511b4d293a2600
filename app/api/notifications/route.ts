import { withApiAccess } from "@/lib/api/route-handlers";
import { getNotificationFeed } from "@/lib/notifications/queries";

/** The header bell's feed: unread count and the latest notifications of the signed-in admin's organisation. */
export const dynamic = "force-dynamic";

const BELL_SIZE = 10;

export const GET = withApiAccess({ name: "notifications.feed", ability: "view" }, async (_request, actor) => {
  const feed = await getNotificationFeed(actor, BELL_SIZE);
  return Response.json(feed, { headers: { "cache-control": "no-store" } });
});
