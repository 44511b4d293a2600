import { NextResponse } from "next/server";

import { apiError, withApiAccess } from "@/lib/api/route-handlers";
import { readTestMessageTrace } from "@/lib/test-messages/queries";
import { testMessageIdSchema } from "@/lib/test-messages/schemas";

/** A test message's trace, polled by its page while the message is under way. Viewers may read it. */
export const dynamic = "force-dynamic";

export async function GET(request: Request, context: { params: Promise<{ id: string }> }): Promise<Response> {
  const { id } = await context.params;
  return withApiAccess({ name: "test-message-trace", ability: "view" }, async (_request, actor) => {
    const parsed = testMessageIdSchema.safeParse({ id });
    if (!parsed.success) return apiError("not_found", "This test message does not exist.");
    const trace = await readTestMessageTrace(actor.organizationId, parsed.data.id);
    return NextResponse.json(trace, { headers: { "Cache-Control": "no-store" } });
  })(request);
}
