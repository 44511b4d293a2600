import "server-only";

import { randomBytes } from "node:crypto";

import type { Database, Queryable } from "@/lib/db/client";

import { isPermission } from "./permissions";
import type { Actor } from "./types";

export type { Actor } from "./types";


export async function createSession(
  db: Database,
  input: { userId: string; maxAgeHours: number; clientAddress?: string; userAgent?: string },
): Promise<{ id: string; expiresAt: Date }> {
  const id = randomBytes(32).toString("base64url");
  const expiresAt = new Date(Date.now() + input.maxAgeHours * 3_600_000);
  await db.session.create({
    data: {
      id,
      userId: input.userId,
      expiresAt,
      clientAddress: input.clientAddress?.slice(0, 64),
      userAgent: input.userAgent?.slice(0, 512),
    },
  });
  // Expired sessions are never read again; drop them while we are here.
  await db.session.deleteMany({ where: { expiresAt: { lt: new Date() } } });
  return { id, expiresAt };
}

interface ActorRecord {
  session_id: string;
  expires_at: Date;
  user_id: string;
  email: string;
  name: string;
  organization_id: string;
  organization_name: string;
  organization_slug: string;
  licences: string[];
  permissions: string[];
}

/**
 * The session's actor, read fresh on every request (every page, handler and action asks): one
 * statement with its joins written out, sent on the pg pool beside Prisma's (getPool) like the
 * inbound gateway's hot statements: this is the console's most frequent read, and Prisma's raw
 * query path costs more CPU than the statement itself.
 */
export async function findActor(db: Queryable, sessionId: string, now = new Date()): Promise<Actor | null> {
  const {
    rows: [record],
  } = await db.query<ActorRecord>(
    `SELECT s.id AS session_id, s.expires_at, u.id AS user_id, u.email, u.name, u.organization_id,
            o.name AS organization_name, o.slug AS organization_slug, o.licences, u.permissions
       FROM sessions s JOIN users u ON u.id = s.user_id JOIN organizations o ON o.id = u.organization_id
      WHERE s.id = $1`,
    [sessionId],
  );
  if (!record || record.expires_at <= now) return null;
  return {
    sessionId: record.session_id,
    userId: record.user_id,
    email: record.email,
    name: record.name,
    organizationId: record.organization_id,
    organizationName: record.organization_name,
    organizationSlug: record.organization_slug,
    licences: record.licences,
    permissions: record.permissions.filter(isPermission),
  };
}

export async function endSession(db: Database, sessionId: string): Promise<void> {
  await db.session.deleteMany({ where: { id: sessionId } });
}
