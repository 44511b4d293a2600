import { NextResponse } from "next/server";

import { fieldErrorsFrom } from "@/lib/actions/define-action";
import { apiError, withApiAccess } from "@/lib/api/route-handlers";
import { getDb } from "@/lib/db/client";
import { countRecentMessages } from "@/lib/messages/queries";
import { listRoutes } from "@/lib/routing/route-list";
import { listRoutesQuerySchema } from "@/lib/routing/route-schemas";

export const dynamic = "force-dynamic";

/** GET /api/routes?q=&domain=&queue=&status=&sort=&dir=&page=&size= — one page of the routes list, with each route's messages of the last 7 days. */
export const GET = withApiAccess({ name: "listRoutes", ability: "view" }, async (request, actor) => {
  const params = Object.fromEntries(new URL(request.url).searchParams);
  const parsed = listRoutesQuerySchema.safeParse(params);
  if (!parsed.success) {
    return apiError("validation", "The search cannot be run as it is; check the search text.", { fieldErrors: fieldErrorsFrom(parsed.error) });
  }
  const query = parsed.data;
  const page = await listRoutes(getDb(), actor.organizationId, query);
  const recentMessages = await countRecentMessages(actor, "route", page.rows.map((route) => route.id));
  return NextResponse.json({ ...page, recentMessages }, { headers: { "Cache-Control": "private, no-store" } });
});
