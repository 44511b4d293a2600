import { beforeEach, describe, expect, it } from "vitest";

import { createQueueAction, deleteQueueAction, updateQueueAction } from "@/app/(console)/queues/actions";
import { seedDemoData } from "@/lib/accounts/demo-seed";
import { getDb } from "@/lib/db/client";

import { actAs, actAsNobody } from "../support/request-context";

const db = getDb();
await seedDemoData(db);
const acme = await db.organization.findUniqueOrThrow({ where: { slug: "acme" } });
const globex = await db.organization.findUniqueOrThrow({ where: { slug: "globex" } });

async function queueNames(organizationId: string) {
  return (await db.queue.findMany({ where: { organizationId }, orderBy: { name: "asc" } })).map((queue) => queue.name);
}

beforeEach(async () => {
  await db.queue.deleteMany();
  actAsNobody();
});

describe("queue actions: who may call them", () => {
  it("refuses a caller with no session and changes nothing", async () => {
    const result = await createQueueAction({ name: "Support" });
    expect(result).toMatchObject({ ok: false, code: "unauthenticated" });
    expect(await db.queue.count()).toBe(0);
  });

  it("refuses a viewer (view permission only), naming the permission, and changes nothing", async () => {
    await actAs("viewer@acme.example");
    const result = await createQueueAction({ name: "Support" });
    expect(result).toMatchObject({ ok: false, code: "permission_required" });
    if (!result.ok) expect(result.error).toContain("Routing > Email > Manage");
    expect(await db.queue.count()).toBe(0);
  });

  it("refuses a user with no email routing permission", async () => {
    await actAs("nopermission@acme.example");
    expect(await createQueueAction({ name: "Support" })).toMatchObject({ ok: false, code: "permission_required" });
    expect(await db.queue.count()).toBe(0);
  });

  it("refuses an administrator whose organisation's licence does not qualify", async () => {
    await actAs("admin@globex.example");
    expect(await createQueueAction({ name: "Support" })).toMatchObject({ ok: false, code: "licence_required" });
    expect(await db.queue.count()).toBe(0);
  });

  it("lets an administrator create a queue in their own organisation only", async () => {
    await actAs("admin@acme.example");
    const result = await createQueueAction({ name: "Support", description: "First line" });
    expect(result).toMatchObject({ ok: true, data: { name: "Support" } });
    expect(await queueNames(acme.id)).toEqual(["Support"]);
    expect(await queueNames(globex.id)).toEqual([]);
  });

  it("cannot rename or delete another organisation's queue, and leaves it as it was", async () => {
    const foreign = await db.queue.create({ data: { organizationId: globex.id, name: "Globex billing", nameKey: "globex billing" } });
    await actAs("admin@acme.example");
    const rename = await updateQueueAction({ id: foreign.id, version: foreign.version, name: "Hijacked", description: "" });
    expect(rename).toMatchObject({ ok: false, code: "not_found" });
    const remove = await deleteQueueAction({ id: foreign.id });
    expect(remove).toMatchObject({ ok: false, code: "not_found" });
    expect(await db.queue.findUnique({ where: { id: foreign.id } })).toMatchObject({ name: "Globex billing", version: 1 });
  });

  it("ends access as soon as the session row is gone, whatever the cookie says", async () => {
    const actor = await actAs("admin@acme.example");
    await db.session.delete({ where: { id: actor.sessionId } });
    expect(await createQueueAction({ name: "Support" })).toMatchObject({ ok: false, code: "unauthenticated" });
  });

  it("picks up a permission removed mid-session on the next call", async () => {
    await actAs("admin@acme.example");
    await db.user.update({ where: { email: "admin@acme.example" }, data: { permissions: ["routing:email:view"] } });
    try {
      expect(await createQueueAction({ name: "Support" })).toMatchObject({ ok: false, code: "permission_required" });
    } finally {
      await db.user.update({ where: { email: "admin@acme.example" }, data: { permissions: ["routing:email:manage"] } });
    }
  });
});

describe("queue actions: what they accept", () => {
  beforeEach(async () => {
    await actAs("admin@acme.example");
  });

  it("returns field errors for invalid input and saves nothing", async () => {
    const result = await createQueueAction({ name: "   ", description: "x".repeat(501) });
    expect(result).toMatchObject({ ok: false, code: "validation" });
    if (result.ok) return;
    expect(result.fieldErrors?.name).toEqual(["Enter a queue name"]);
    expect(result.fieldErrors?.description).toEqual(["Use at most 500 characters"]);
    expect(await db.queue.count()).toBe(0);
  });

  it("rejects a name that differs only in case, on the name field", async () => {
    await createQueueAction({ name: "Support" });
    const result = await createQueueAction({ name: "SUPPORT" });
    expect(result).toMatchObject({ ok: false, code: "conflict", fieldErrors: { name: ["Another queue already has this name"] } });
    expect(await queueNames(acme.id)).toEqual(["Support"]);
  });

  it("refuses a save based on a stale version without the version it was opened from, and returns the current record", async () => {
    const created = await createQueueAction({ name: "Support" });
    if (!created.ok) throw new Error(created.error);
    const queue = await db.queue.findUniqueOrThrow({ where: { id: created.data.id } });
    const first = await updateQueueAction({ id: queue.id, version: queue.version, name: "Support tier 1", description: "" });
    expect(first).toMatchObject({ ok: true, data: { version: 2 } });
    const stale = await updateQueueAction({ id: queue.id, version: queue.version, name: "Customer care", description: "" });
    // Without the values the form was opened with there is nothing to merge: the whole save is refused.
    expect(stale).toMatchObject({ ok: false, code: "stale", current: { entry: { name: "Support tier 1", version: 2 } } });
    expect(await queueNames(acme.id)).toEqual(["Support tier 1"]);
  });

  it("hides unexpected failures behind a reference, never SQL or a stack", async () => {
    const result = await updateQueueAction({ id: "not-a-uuid", version: 1, name: "x", description: "" });
    expect(result).toMatchObject({ ok: false, code: "validation", fieldErrors: { id: ["Unknown queue"] } });
  });
});
