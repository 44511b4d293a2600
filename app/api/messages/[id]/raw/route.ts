import { withApiAccess } from "@/lib/api/route-handlers";
import { readMessageEml } from "@/lib/messages/queries";

export const dynamic = "force-dynamic";

/**
 * GET /api/messages/<message id>/raw — the message as stored, as an .eml download. Manage permission
 * only (the whole message, every header and the body); another organisation's message is a 404.
 */
export const GET = withApiAccess<{ params: Promise<{ id: string }> }>({ name: "downloadMessage", ability: "manage" }, async (_request, actor, context) => {
  const { id } = await context.params;
  const raw = await readMessageEml(actor, id);
  return new Response(new Uint8Array(raw.body), {
    headers: {
      "Content-Type": "message/rfc822",
      "Content-Disposition": `attachment; filename="${raw.fileName}"`,
      "Content-Length": String(raw.body.length),
      "Cache-Control": "private, no-store",
      // RFC 9530: the digest the message page shows, so a download can be checked against it.
      "Repr-Digest": `sha-256=:${Buffer.from(raw.sha256, "hex").toString("base64")}:`,
    },
  });
});
