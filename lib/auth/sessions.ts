import "server-only";

import { randomBytes } from "node:crypto";

import type { Database } from "@/lib/db/client";

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

export async function findActor(db: Database, sessionId: string, now = new Date()): Promise<Actor | null> {
  const session = await db.session.findUnique({
    where: { id: sessionId },
    include: { user: { include: { organization: true } } },
  });
  if (!session || session.expiresAt <= now) return null;
  const { user } = session;
  return {
    sessionId: session.id,
    userId: user.id,
    email: user.email,
    name: user.name,
    organizationId: user.organizationId,
    organizationName: user.organization.name,
    organizationSlug: user.organization.slug,
    licences: user.organization.licences,
    permissions: user.permissions.filter(isPermission),
  };
}

export async function endSession(db: Database, sessionId: string): Promise<void> {
  await db.session.deleteMany({ where: { id: sessionId } });
}
