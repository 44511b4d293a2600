import { openApiDocument } from "@/lib/api/v1/openapi";

/** GET /api/v1/openapi.json — the Automation API's OpenAPI 3.1 document (no key needed: it holds no data). */
export const dynamic = "force-dynamic";

export function GET(): Response {
  return Response.json(openApiDocument(), { headers: { "Cache-Control": "no-cache" } });
}
