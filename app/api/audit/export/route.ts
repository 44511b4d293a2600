import { withApiAccess } from "@/lib/api/route-handlers";
import { exportAuditCsv } from "@/lib/audit/queries";
import { auditQuerySchema } from "@/lib/audit/schemas";

export const dynamic = "force-dynamic";

/** GET /api/audit/export?entity=&action=&actor=&from=&to=&q= — the entries the audit log's filters select, as CSV. */
export const GET = withApiAccess({ name: "exportAudit", ability: "view" }, async (request, actor) => {
  const query = auditQuerySchema.parse(Object.fromEntries(new URL(request.url).searchParams));
  const date = new Date().toISOString().slice(0, 10);
  return new Response(await exportAuditCsv(actor.organizationId, query), {
    headers: {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="audit-${actor.organizationSlug}-${date}.csv"`,
      "Cache-Control": "private, no-store",
    },
  });
});
