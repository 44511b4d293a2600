import { getConfig } from "@/lib/config/env";
import { checkHealth } from "@/lib/health/health";

/**
 * For load balancers and orchestrators: 200 when the database answers, its migrations are this
 * release's, a job worker is alive and (INBOUND_MODE=in-process) this instance's inbound SMTP gateway
 * is listening; 503 otherwise. The JSON body lists each check. Public (no
 * session) and free of secrets; proxy.ts leaves /api/ alone.
 */
export const dynamic = "force-dynamic";

export async function GET(): Promise<Response> {
  const report = await checkHealth(getConfig());
  return Response.json(report, {
    status: report.status === "ok" ? 200 : 503,
    headers: { "cache-control": "no-store" },
  });
}
