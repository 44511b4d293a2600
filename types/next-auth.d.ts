import "next-auth";
import "next-auth/jwt";

declare module "next-auth" {
  interface User {
    sessionId?: string;
  }
}

declare module "next-auth/jwt" {
  interface JWT {
    /** Id of the server-side session row (lib/auth/sessions.ts). */
    sid?: string;
  }
}
