import NextAuth from "next-auth";

import { buildAuthOptions } from "@/lib/auth/auth-options";

// Options are built per request so configuration is read at run time, not at build time.
async function handler(request: Request, context: { params: Promise<{ nextauth: string[] }> }) {
  return NextAuth(buildAuthOptions())(request, context);
}

export { handler as GET, handler as POST };
