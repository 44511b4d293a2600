import "server-only";

import type { z } from "zod";

import type { Database } from "@/lib/db/client";
import { isUniqueViolation } from "@/lib/db/errors-prisma";
import { ConflictError, NotFoundError, StaleVersionError } from "@/lib/errors";

import type { createQueueSchema, updateQueueSchema } from "./queue-schemas";

/** Queues of one organisation. Every query is scoped by the organisation id from the session. */

export function listQueues(db: Database, organizationId: string) {
  return db.queue.findMany({ where: { organizationId }, orderBy: { nameKey: "asc" } });
}

function duplicateName(name: string) {
  return new ConflictError(`A queue named "${name}" already exists.`, { name: ["Another queue already has this name"] });
}

export async function createQueue(db: Database, organizationId: string, input: z.output<typeof createQueueSchema>) {
  try {
    return await db.queue.create({
      data: { organizationId, name: input.name, nameKey: input.name.toLowerCase(), description: input.description },
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw duplicateName(input.name);
    throw error;
  }
}

export async function updateQueue(db: Database, organizationId: string, input: z.output<typeof updateQueueSchema>) {
  try {
    // The version in the WHERE clause makes "check, then write" one atomic step.
    const updated = await db.queue.updateMany({
      where: { id: input.id, organizationId, version: input.version },
      data: {
        name: input.name,
        nameKey: input.name.toLowerCase(),
        description: input.description,
        version: { increment: 1 },
      },
    });
    if (updated.count === 1) return db.queue.findUniqueOrThrow({ where: { id: input.id } });
  } catch (error) {
    if (isUniqueViolation(error)) throw duplicateName(input.name);
    throw error;
  }
  const current = await db.queue.findFirst({ where: { id: input.id, organizationId } });
  if (!current) throw new NotFoundError("This queue no longer exists.");
  throw new StaleVersionError("Someone else changed this queue after you opened it.", current);
}

export async function deleteQueue(db: Database, organizationId: string, id: string) {
  const deleted = await db.queue.deleteMany({ where: { id, organizationId } });
  if (deleted.count === 0) throw new NotFoundError("This queue no longer exists.");
}
