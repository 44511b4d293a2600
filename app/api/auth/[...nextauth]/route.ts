import NextAuth from "next-auth";
import { NextResponse } from "next/server";

import { buildAuthOptions } from "@/lib/auth/auth-options";
import { getActor } from "@/lib/auth/gate";

type Context = { params: Promise<{ nextauth: string[] }> };

// Options are built per request so configuration is read at run time, not at build time.
async function handler(request: Request, context: Context) {
  const { nextauth } = await context.params;
  // next-auth answers from the signed cookie alone and re-issues it with a later expiry. The session
  // row is the authority: once it is gone (signed out, expired), there is no user and no new cookie.
  if (nextauth.join("/") === "session" && !(await getActor())) {
    return NextResponse.json({}, { headers: { "Cache-Control": "private, no-cache, no-store" } });
  }
  return NextAuth(buildAuthOptions())(request, context);
}

export { handler as GET, handler as POST };
