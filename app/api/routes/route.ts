import { NextResponse } from "next/server";

import { fieldErrorsFrom } from "@/lib/actions/define-action";
import { apiError, withApiAccess } from "@/lib/api/route-handlers";
import { listRoutesWithMessages } from "@/lib/routes/queries";
import { listRoutesQuerySchema } from "@/lib/routes/schemas";

export const dynamic = "force-dynamic";

/** GET /api/routes?q=&domain=&queue=&status=&sort=&dir=&page=&size= — one page of the routes list, with each route's messages of the last 7 days. */
export const GET = withApiAccess({ name: "listRoutes", ability: "view" }, async (request, actor) => {
  const params = Object.fromEntries(new URL(request.url).searchParams);
  const parsed = listRoutesQuerySchema.safeParse(params);
  if (!parsed.success) {
    return apiError("validation", "The search cannot be run as it is; check the search text.", { fieldErrors: fieldErrorsFrom(parsed.error) });
  }
  const page = await listRoutesWithMessages(actor, parsed.data);
  return NextResponse.json(page, { headers: { "Cache-Control": "private, no-store" } });
});
