import { NextResponse } from "next/server";
import { z } from "zod";

import { apiError, withApiAccess } from "@/lib/api/route-handlers";
import { getConfig } from "@/lib/config/env";
import { bodyTooLargeMessage } from "@/lib/http/body-limits";
import { readTextWithin } from "@/lib/http/read-body";
import { importRoutes } from "@/lib/routes/commands/import-routes";
import { MAX_IMPORT_BYTES } from "@/lib/http/body-limits";
import { previewRouteImport } from "@/lib/routes/import";
import { plainText } from "@/lib/validation/plain-text";

export const dynamic = "force-dynamic";

const querySchema = z.object({
  mode: z.enum(["preview", "apply"]).default("preview").catch("preview"),
  fileName: plainText().max(200).optional().catch(undefined),
});

/**
 * POST /api/routes/import?mode=preview|apply — the CSV file is the request body. A route handler
 * rather than a server action: a 10,000-route file is larger than a server action accepts.
 */
export const POST = withApiAccess({ name: "importRoutes", ability: "manage" }, async (request, actor) => {
  const query = querySchema.parse(Object.fromEntries(new URL(request.url).searchParams));
  const text = await readTextWithin(request, MAX_IMPORT_BYTES);
  if (text === null) {
    return apiError("too_large", bodyTooLargeMessage(new URL(request.url).pathname));
  }
  const limits = { maxRoutesPerDomain: getConfig().MAX_ROUTES_PER_DOMAIN };
  const report =
    query.mode === "apply"
      ? await importRoutes(actor, text, limits, { fileName: query.fileName })
      : await previewRouteImport(actor.organizationId, text, limits);
  return NextResponse.json({ ok: true, data: report }, { headers: { "Cache-Control": "no-store" } });
});
