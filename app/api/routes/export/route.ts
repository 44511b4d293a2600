import { z } from "zod";

import { withApiAccess } from "@/lib/api/route-handlers";
import { exportRoutes } from "@/lib/routes/export";
import { exportScopeName } from "@/lib/routes/queries";

export const dynamic = "force-dynamic";

const querySchema = z.object({
  format: z.enum(["csv", "json"]).default("csv").catch("csv"),
  domain: z.uuid().optional().catch(undefined),
});

/** GET /api/routes/export?format=csv|json[&domain=<id>] — every route, as a download. */
export const GET = withApiAccess({ name: "exportRoutes", ability: "view" }, async (request, actor) => {
  const query = querySchema.parse(Object.fromEntries(new URL(request.url).searchParams));
  const scope = await exportScopeName(actor.organizationId, query.domain, actor.organizationSlug);
  const date = new Date().toISOString().slice(0, 10);
  const fileName = `routes-${scope}-${date}.${query.format}`;
  return new Response(exportRoutes(actor.organizationId, query.format, query.domain), {
    headers: {
      "Content-Type": query.format === "csv" ? "text/csv; charset=utf-8" : "application/json; charset=utf-8",
      "Content-Disposition": `attachment; filename="${fileName}"`,
      "Cache-Control": "private, no-store",
    },
  });
});
