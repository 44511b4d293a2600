import Papa from "papaparse";
import { beforeEach, describe, expect, it } from "vitest";

import { GET as exportHandler } from "@/app/api/routes/export/route";
import { POST as importHandler } from "@/app/api/routes/import/route";
import { getDb, getPool } from "@/lib/db/client";
import { ConflictError } from "@/lib/errors";
import { IMPORT_TIMED_OUT, importRoutes } from "@/lib/routes/commands/import-routes";
import { lockDomainRoutes } from "@/lib/routes/rules";
import { MAX_IMPORT_BYTES } from "@/lib/http/body-limits";
import { joinCell, toCsvLine } from "@/lib/routes/csv";
import { IMPORT_CHUNK_ROWS } from "@/lib/routes/import";
import type { ImportReport } from "@/lib/routes/types";
import { listDomainRoutes } from "@/lib/routes/queries";

import { actAs, actAsNobody, apiRequest, requestContext } from "../support/request-context";
import { clearRouting, INITECH_ADMIN, makeDomain, makeLanguage, makeQueue, makeRoute, makeRoutingWorld, makeSkill, routeCount, seedRoutingOrganizations } from "../support/routing-fixtures";

const db = getDb();
const { acme, initech } = await seedRoutingOrganizations(db);

let help: { id: string; name: string };

beforeEach(async () => {
  await clearRouting(db);
  help = (await makeRoutingWorld(db, acme.id)).domain;
  await makeSkill(db, acme.id, "VIP");
  requestContext.headers = new Headers();
  actAsNobody();
});

async function send(csv: string, mode: "preview" | "apply", headers: Record<string, string> = {}) {
  const response = await importHandler(
    apiRequest(`http://localhost/api/routes/import?mode=${mode}&fileName=routes.csv`, {
      method: "POST",
      headers: { "content-type": "text/csv", host: "localhost", ...headers },
      body: csv,
    }),
  );
  const body = (await response.json()) as { ok: boolean; code?: string; data: ImportReport };
  return { status: response.status, body, report: body.data };
}

/** An import that wrote nothing: it names exactly `issues`, and the routes table still holds `routes` rows. */
async function expectNothingApplied(report: ImportReport, issues: ImportReport["issues"], routes: number) {
  expect(report).toMatchObject({ applied: false, created: 0 });
  expect(report.issues).toEqual(issues);
  expect(await routeCount(db)).toBe(routes);
}

const HEADER = "domain,pattern,queue,priority,skills,language,fromName,fromEmail,replyEmailAddress,autoBcc,historyInclusion,allowMultipleActions,spamQueue";

describe("route import: who may import", () => {
  it("refuses without a session, to a viewer, without licence, and from another site; nothing is written", async () => {
    const csv = `${HEADER}\nhelp.acme.test,support,Support,,,,Acme,,,,,,`;
    expect(await send(csv, "apply")).toMatchObject({ status: 401, body: { code: "unauthenticated" } });
    await actAs("viewer@acme.example");
    expect(await send(csv, "preview")).toMatchObject({ status: 403, body: { code: "permission_required" } });
    await actAs("admin@globex.example");
    expect(await send(csv, "apply")).toMatchObject({ status: 403, body: { code: "licence_required" } });
    await actAs("admin@acme.example");
    expect(await send(csv, "apply", { origin: "https://evil.example" })).toMatchObject({ status: 403 });
    expect(await routeCount(db)).toBe(0);
    expect(await db.auditEntry.count()).toBe(0);
  });

  it("does not let another organisation import onto Acme's domains", async () => {
    await makeQueue(db, initech.id, "Support");
    await actAs(INITECH_ADMIN);
    const { report } = await send(`${HEADER}\nhelp.acme.test,support,Support,,,,Initech,,,,,,`, "apply");
    await expectNothingApplied(report, [{ line: 2, column: "domain", message: "help.acme.test is not one of your organisation's domains" }], 0);
  });
});

describe("route import: the dry run", () => {
  beforeEach(async () => {
    await actAs("admin@acme.example");
  });

  it("lists every problem by line and column, and writes nothing", async () => {
    await makeRoute(db, acme.id, help, "taken", (await db.queue.findFirstOrThrow({ where: { name: "Support" } })).id);
    const csv = [
      HEADER,
      "help.acme.test,support,Support,3,Billing;VIP,English,Acme,,,,Include,true,Spam",
      'help.acme.test,"multi,line",Support,,,,"Acme',
      'Support",,,,,,',
      "help.acme.test,bad..dots,Nope,11,Gardening,Klingon,,replies@new.acme.test,,,Sometimes,maybe,",
      "help.acme.test,SUPPORT,Support,,,,Acme,,,,,,",
      "help.acme.test,taken,Support,,,,Acme,,,,,,",
      "elsewhere.test,x,Support,,,,Acme,,,,,,",
      "help.acme.test,replier,Support,,,,Acme,,nobody@help.acme.test,,,,",
      "",
    ].join("\n");
    const { status, report } = await send(csv, "preview");
    expect(status).toBe(200);
    expect(report).toMatchObject({ rowCount: 7, validCount: 1, errorLineCount: 6, applied: false, created: 0 });
    const byLine = (line: number) => report.issues.filter((issue) => issue.line === line).map((issue) => `${issue.column}: ${issue.message}`);
    expect(byLine(2)).toEqual([]);
    // The quoted cell spans lines 3 and 4; the next row starts on line 5.
    expect(byLine(3)).toEqual([
      expect.stringMatching(/^pattern: "," is not allowed/),
      "fromName: Remove the control characters (such as NUL bytes or line breaks) from this text",
    ]);
    expect(byLine(5)).toEqual([
      "pattern: An address cannot have two dots in a row",
      'queue: There is no queue named "Nope"; create it on the Queues page first',
      "priority: Choose a priority from 1 to 10",
      'skills: There is no skill named "Gardening"; create it on the Queues page first',
      'language: There is no language named "Klingon"; create it on the Queues page first',
      "fromName: Enter the name customers see on replies",
      "historyInclusion: Choose Include, Exclude or Optional",
      "allowMultipleActions: Use true or false",
    ]);
    expect(byLine(6)).toEqual(["pattern: SUPPORT@help.acme.test is already on line 2 of this file"]);
    expect(byLine(7)).toEqual(["pattern: taken@help.acme.test already has a route"]);
    expect(byLine(8)).toEqual(["domain: elsewhere.test is not one of your organisation's domains"]);
    expect(byLine(9)).toEqual(["replyEmailAddress: No route has the address nobody@help.acme.test, in your organisation or in this file"]);
    expect(await routeCount(db)).toBe(1);
    expect(await db.auditEntry.count()).toBe(0);
  });

  it("reports a file without the required columns, or without rows, as a whole", async () => {
    expect((await send("address,queue\nx@help.acme.test,Support", "preview")).report.fileErrors).toEqual([
      expect.stringContaining("missing: domain, pattern, fromName"),
    ]);
    expect((await send(`${HEADER}\n`, "preview")).report.fileErrors).toEqual(["The file has a header line but no routes."]);
    expect((await send("", "preview")).report.fileErrors).toEqual([expect.stringContaining("The file is empty")]);
  });
});

describe("route import: applying", () => {
  beforeEach(async () => {
    await actAs("admin@acme.example");
  });

  it("creates every route in one go with one audit entry, resolving replies to routes in the same file", async () => {
    const csv = [
      "Domain,Pattern,Queue,From name,Skills,Reply email address,Auto BCC,Spam queue,History inclusion,Allow multiple actions,Notes",
      "help.acme.test,billing,Support,Acme Billing,,support@help.acme.test,,,,,first",
      "help.acme.test,support,support,Acme,billing; vip,,a@acme.test;b@acme.test,SPAM,exclude,yes,second",
      "new.acme.test,hello,Support,Acme,,,,,,,",
    ].join("\r\n");
    const { report } = await send(csv, "apply");
    expect(report).toMatchObject({ applied: true, created: 3, rowCount: 3, ignoredColumns: ["Notes"], issues: [], fileErrors: [] });
    const routes = await listDomainRoutes(db, acme.id, help.id);
    expect(routes.map((route) => route.address)).toEqual(["billing@help.acme.test", "support@help.acme.test"]);
    expect(routes[0]).toMatchObject({ replyAddress: "support@help.acme.test", priority: 5, historyInclusion: "Optional" });
    expect(routes[1]).toMatchObject({
      skillNames: ["Billing", "VIP"],
      autoBcc: ["a@acme.test", "b@acme.test"],
      spamQueueName: "Spam",
      historyInclusion: "Exclude",
      allowMultipleActions: true,
      version: 1,
    });
    const entries = await db.auditEntry.findMany();
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({
      action: "routes.import",
      entityType: "routes",
      entityLabel: "Import of routes.csv",
      actorEmail: "admin@acme.example",
      // Per domain and every address created: what the audit log shows of the import.
      after: {
        created: 3,
        rows: 3,
        domains: [
          { name: "help.acme.test", count: 2 },
          { name: "new.acme.test", count: 1 },
        ],
        addresses: ["billing@help.acme.test", "support@help.acme.test", "hello@new.acme.test"],
      },
    });
  });

  it("writes nothing at all when a single line is wrong", async () => {
    const rows = Array.from({ length: 50 }, (_, index) => `help.acme.test,user${index},Support,,,,Acme,,,,,,`);
    rows.splice(37, 0, "help.acme.test,user10,Support,,,,Acme,,,,,,");
    const { report } = await send([HEADER, ...rows].join("\n"), "apply");
    expect(report).toMatchObject({ validCount: 50, errorLineCount: 1 });
    await expectNothingApplied(report, [{ line: 39, column: "pattern", message: "user10@help.acme.test is already on line 12 of this file" }], 0);
    expect(await db.auditEntry.count()).toBe(0);
  });

  it("checks again when applying: an address created since the dry run stops the import", async () => {
    const csv = `${HEADER}\nhelp.acme.test,late,Support,,,,Acme,,,,,,\nhelp.acme.test,other,Support,,,,Acme,,,,,,`;
    expect((await send(csv, "preview")).report).toMatchObject({ validCount: 2, errorLineCount: 0 });
    await makeRoute(db, acme.id, help, "late", (await db.queue.findFirstOrThrow({ where: { name: "Support" } })).id);
    const { report } = await send(csv, "apply");
    await expectNothingApplied(report, [{ line: 2, column: "pattern", message: "late@help.acme.test already has a route" }], 1);
  });
});

describe("route import: a database too slow to answer", () => {
  it("stops an import whose statement outlasts its limit, stores nothing and says so; the same file imports once the lock is gone", async () => {
    const csv = `${HEADER}\nhelp.acme.test,slow,Support,,,,Acme,,,,,,`;
    const actor = { organizationId: acme.id, userId: (await db.user.findFirstOrThrow({ where: { email: "admin@acme.example" } })).id, email: "admin@acme.example" };
    const limits = { maxRoutesPerDomain: 1000 };
    // Another change to this domain's routes holds its lock, as a stuck transaction would.
    const holder = await getPool().connect();
    try {
      await holder.query("BEGIN");
      await lockDomainRoutes(holder, [help.id]);
      const failure = await importRoutes(actor, csv, limits, { transactionLimits: { statementTimeoutMs: 300, idleTimeoutMs: 30_000 } }).then(
        () => null,
        (error: unknown) => error,
      );
      expect(failure).toBeInstanceOf(ConflictError);
      expect((failure as Error).message).toBe(IMPORT_TIMED_OUT);
      expect(await routeCount(db)).toBe(0);
      expect(await db.auditEntry.count()).toBe(0);
    } finally {
      await holder.query("ROLLBACK");
      holder.release();
    }
    expect(await importRoutes(actor, csv, limits)).toMatchObject({ applied: true, created: 1 });
  });
});

describe("route import: files longer than one step", () => {
  // An apply writes the rows a step (IMPORT_CHUNK_ROWS) at a time while it checks the rest. The
  // rows go to three domains, each within the per-domain limit.
  const STEPS = 2 * IMPORT_CHUNK_ROWS + 10;
  const domainOf = (index: number) => ["help.acme.test", "new.acme.test", "more.acme.test"][index % 3]!;
  const lines = (count: number) => Array.from({ length: count }, (_, index) => `${domainOf(index)},user${index},Support,,,,Acme,,,,,,`);
  let supportId: string;

  beforeEach(async () => {
    await makeDomain(db, acme.id, "more.acme.test");
    await actAs("admin@acme.example");
    supportId = (await db.queue.findFirstOrThrow({ where: { organizationId: acme.id, name: "Support" } })).id;
  });

  it("stores nothing when the only bad line is the last, after earlier steps were written", async () => {
    const csv = [HEADER, ...lines(STEPS), "help.acme.test,last,Nope,,,,Acme,,,,,,"].join("\n");
    const { report } = await send(csv, "apply");
    expect(report).toMatchObject({ validCount: STEPS, errorLineCount: 1, fileErrors: [] });
    await expectNothingApplied(report, [{ line: STEPS + 2, column: "queue", message: 'There is no queue named "Nope"; create it on the Queues page first' }], 0);
    expect(await db.auditEntry.count()).toBe(0);
  });

  it("stores nothing when an address in a late step already has a route", async () => {
    const late = STEPS - 1 - ((STEPS - 1) % 3); // in the last step, on help.acme.test
    await makeRoute(db, acme.id, help, `user${late}`, supportId);
    const { report } = await send([HEADER, ...lines(STEPS)].join("\n"), "apply");
    expect(report.fileErrors).toEqual([]);
    await expectNothingApplied(report, [{ line: late + 2, column: "pattern", message: `user${late}@help.acme.test already has a route` }], 1);
  });

  it("reports a file with problems in several steps exactly as its dry run does", async () => {
    await makeRoute(db, acme.id, help, "user1500", supportId);
    const rows = lines(STEPS);
    rows[3] = `help.acme.test,replier,Support,,,,Acme,,user2001@${domainOf(2001)},,,,`; // a reply to a route two steps on
    rows[1200] = "help.acme.test,user6,Support,,,,Acme,,,,,,"; // already on line 8
    rows[2005] = "help.acme.test,lost,Support,,,,Acme,,nobody@help.acme.test,,,,";
    const csv = [HEADER, ...rows].join("\n");
    const preview = (await send(csv, "preview")).report;
    expect(preview.issues).toEqual([
      { line: 1202, column: "pattern", message: "user6@help.acme.test is already on line 8 of this file" },
      { line: 1502, column: "pattern", message: "user1500@help.acme.test already has a route" },
      { line: 2007, column: "replyEmailAddress", message: "No route has the address nobody@help.acme.test, in your organisation or in this file" },
    ]);
    const applied = (await send(csv, "apply")).report;
    expect(applied).toEqual(preview);
    expect(await routeCount(db)).toBe(1);
  });

  it("resolves a reply to a route further down the file, steps later", async () => {
    const rows = lines(STEPS);
    rows[0] = `help.acme.test,first,Support,,,,Acme,,user${STEPS - 1}@${domainOf(STEPS - 1)},,,,`;
    const { report } = await send([HEADER, ...rows].join("\n"), "apply");
    expect(report).toMatchObject({ applied: true, created: STEPS, issues: [], fileErrors: [] });
    const [first, last] = await Promise.all(["first", `user${STEPS - 1}`].map((pattern) => db.route.findFirstOrThrow({ where: { pattern } })));
    expect(first!.replyRouteId).toBe(last!.id);
    expect(await db.auditEntry.count()).toBe(1);
  });
});

describe("route import: what it will not read", () => {
  beforeEach(async () => {
    await actAs("admin@acme.example");
  });

  it("stops reading a body that has no length at the limit and answers 413, whatever the body's size", async () => {
    // Four times the limit, in 64 KB pieces, with no declared length (as a chunked upload).
    let pulled = 0;
    const piece = new TextEncoder().encode(`help.acme.test,support,Support,,,,Acme,,,,,,\n`.repeat(1456));
    const endless = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode(`${HEADER}\n`));
      },
      pull(controller) {
        if (pulled >= 4 * MAX_IMPORT_BYTES) return controller.close();
        pulled += piece.byteLength;
        controller.enqueue(piece);
      },
    });
    const response = await importHandler(
      apiRequest("http://localhost/api/routes/import?mode=apply", { method: "POST", headers: { host: "localhost" }, body: endless, duplex: "half" } as RequestInit),
    );
    expect(response.status).toBe(413);
    expect(await response.json()).toEqual({
      ok: false,
      code: "too_large",
      error: "The file is larger than 20 MB; split it into several imports. Nothing was imported.",
    });
    expect(pulled).toBeGreaterThan(MAX_IMPORT_BYTES / 2);
    expect(pulled).toBeLessThan(MAX_IMPORT_BYTES + 1024 * 1024); // the limit, and what the stream queued ahead
    expect(await routeCount(db)).toBe(0);
  });

  it("reports a NUL byte or another control character in any cell as that cell's problem, and writes nothing", async () => {
    const csv = [
      HEADER,
      "help.acme.test,support,Support,,,,Acme\u0000Support,,,,,,",
      "help.acme.test,sales\u0000,Sup\u0000port,,Bill\u0000ing,,Acme,,,,,,",
      '"help.acme.test\u0007",info,Support,,,,"Acme\u001b[31m",,,,,,',
      "help.acme.test,fine,Support,,,,Acme,,,,,,",
    ].join("\n");
    for (const mode of ["preview", "apply"] as const) {
      const { status, report } = await send(csv, mode);
      expect(status, mode).toBe(200);
      expect(report, mode).toMatchObject({ rowCount: 4, validCount: 1, errorLineCount: 3, applied: false, created: 0 });
      const message = "Remove the control characters (such as NUL bytes or line breaks) from this text";
      expect(report.issues.map((issue) => `${issue.line} ${issue.column}: ${issue.message}`)).toEqual([
        `2 fromName: ${message}`,
        `3 pattern: ${message}`,
        `3 queue: ${message}`,
        `3 skills: ${message}`,
        `4 domain: ${message}`,
        `4 fromName: ${message}`,
      ]);
    }
    expect(await routeCount(db)).toBe(0);
    expect(await db.auditEntry.count()).toBe(0);

    // A file name with a NUL byte is left out of the audit entry rather than failing the import.
    const response = await importHandler(
      apiRequest("http://localhost/api/routes/import?mode=apply&fileName=a%00b.csv", { method: "POST", body: `${HEADER}\nhelp.acme.test,fine,Support,,,,Acme,,,,,,` }),
    );
    expect(response.status).toBe(200);
    expect((await db.auditEntry.findFirstOrThrow({ where: { action: "routes.import" } })).entityLabel).toBe("CSV import");
  });
});

describe("route export", () => {
  it("exports every route as CSV that imports back to the same routes, and as JSON", async () => {
    await actAs("admin@acme.example");
    const csv = [
      HEADER,
      "help.acme.test,support,Support,3,Billing;VIP,English,=Acme+,,,a@acme.test;b@acme.test,Include,true,Spam",
      "help.acme.test,billing,Support,,,,\"Acme, Billing\",,support@help.acme.test,,,,",
      "new.acme.test,-dash,Support,,,,Acme,,,,,,",
    ].join("\n");
    expect((await send(csv, "apply")).report).toMatchObject({ applied: true, created: 3 });
    const before = (await listDomainRoutes(db, acme.id, help.id)).map(({ id: _id, updatedAt: _u, replyRouteId: _r, ...rest }) => rest);

    const exported = await exportHandler(apiRequest("http://localhost/api/routes/export?format=csv"));
    expect(exported.headers.get("content-disposition")).toMatch(/^attachment; filename="routes-acme-\d{4}-\d{2}-\d{2}\.csv"$/);
    const text = await exported.text();
    expect(text.split("\n")[0]).toBe(`${HEADER},address,status,id,version,updatedAt`);
    expect(text).toContain("'=Acme+"); // a spreadsheet would have run it as a formula

    const json = (await (await exportHandler(apiRequest("http://localhost/api/routes/export?format=json"))).json()) as { address: string; status: string }[];
    expect(json.map((route) => [route.address, route.status])).toEqual([
      ["-dash@new.acme.test", "pending"],
      ["billing@help.acme.test", "active"],
      ["support@help.acme.test", "active"],
    ]);

    await clearRoutesOnly();
    expect((await send(text, "apply")).report).toMatchObject({ applied: true, created: 3 });
    const after = (await listDomainRoutes(db, acme.id, help.id)).map(({ id: _id, updatedAt: _u, replyRouteId: _r, ...rest }) => rest);
    expect(after).toEqual(before);
    expect(after.find((route) => route.pattern === "support")?.fromName).toBe("=Acme+");
  });

  it("writes no cell a spreadsheet would run as a formula, and imports back every route exactly", async () => {
    await actAs("admin@acme.example");
    // Names that start like formulas, contain the list separators, backslashes or quotes, or start
    // with apostrophes: each must come back as it was.
    for (const name of ["=Sales;EU", "+VIP|Gold", "-Returns", "@Escalation", "'=Quoted", "Back\\slash;", "Say \"hi\", then"]) {
      await makeSkill(db, acme.id, name);
    }
    await makeQueue(db, acme.id, "=HYPERLINK(\"http://x\")");
    await makeQueue(db, acme.id, "-Spam");
    await makeLanguage(db, acme.id, "+English");
    const skills = (await db.skill.findMany({ where: { organizationId: acme.id } })).map((skill) => skill.name);
    const csv = [
      HEADER,
      toCsvLine(["help.acme.test", "-dash", "=HYPERLINK(\"http://x\")", 3, joinCell(skills), "+English", "=Acme+", "", "", "+copies@help.acme.test", "", "", "-Spam"]),
      toCsvLine(["help.acme.test", "=eq", "Support", "", "", "", "@Acme", "-dash@help.acme.test", "", "", "", "", ""]),
      toCsvLine(["help.acme.test", "'=q", "Support", "", "", "", "'=Acme", "", "=eq@help.acme.test", "", "", "", ""]),
    ].join("\n");
    const imported = await send(csv, "apply");
    expect(imported.report, JSON.stringify(imported.report.issues)).toMatchObject({ applied: true, created: 3 });
    const snapshot = async () =>
      (await listDomainRoutes(db, acme.id, help.id)).map(({ id: _id, updatedAt: _u, replyRouteId: _r, ...rest }) => rest);
    const before = await snapshot();
    expect([...(before.find((route) => route.pattern === "-dash")?.skillNames ?? [])].sort()).toEqual([...skills].sort());

    const text = await (await exportHandler(apiRequest("http://localhost/api/routes/export?format=csv"))).text();
    // Read as a spreadsheet reads it: every cell of every line, nothing taken off.
    const cells = Papa.parse<string[]>(text.trim(), { delimiter: "," }).data.flat();
    expect(cells.filter((cell) => /^[=+\-@\t\r]/.test(cell))).toEqual([]);

    await clearRoutesOnly();
    expect((await send(text, "apply")).report).toMatchObject({ applied: true, created: 3 });
    expect(await snapshot()).toEqual(before);
  });

  it("exports nothing of another organisation and refuses one without a session", async () => {
    await makeRoute(db, acme.id, help, "secret", (await db.queue.findFirstOrThrow({ where: { name: "Support" } })).id);
    await actAs(INITECH_ADMIN);
    const text = await (await exportHandler(apiRequest("http://localhost/api/routes/export?format=csv"))).text();
    expect(text.trim().split("\n")).toHaveLength(1);
    expect((await exportHandler(apiRequest(`http://localhost/api/routes/export?domain=${help.id}`))).status).toBe(404);
    actAsNobody();
    expect((await exportHandler(apiRequest("http://localhost/api/routes/export"))).status).toBe(401);
  });
});

async function clearRoutesOnly() {
  await db.routeSkill.deleteMany();
  await db.route.updateMany({ data: { replyRouteId: null } });
  await db.route.deleteMany();
}
