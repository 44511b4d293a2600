import { beforeEach, describe, expect, it } from "vitest";

import { POST as importHandler } from "@/app/api/routes/import/route";
import { seedDemoData } from "@/lib/accounts/demo-seed";
import { getDb } from "@/lib/db/client";

import { actAs, apiRequest } from "../support/request-context";

const db = getDb();
await seedDemoData(db);

async function preview(headers: Record<string, string>) {
  const response = await importHandler(
    apiRequest("http://localhost/api/routes/import?mode=preview", {
      method: "POST",
      headers: { "content-type": "text/csv", host: "console.example.com", ...headers },
      body: "domain,pattern,queue\n",
    }),
  );
  return { status: response.status, body: (await response.json()) as { ok: boolean; code?: string } };
}

describe("route import: which pages may post to it (TRUST_PROXY off)", () => {
  beforeEach(async () => {
    await actAs("admin@acme.example");
  });

  it("accepts the console's own pages", async () => {
    expect(await preview({ origin: "http://console.example.com" })).toMatchObject({ status: 200, body: { ok: true } });
  });

  it("refuses another site even when the request names that site in X-Forwarded-Host", async () => {
    expect(await preview({ origin: "http://evil.example" })).toMatchObject({ status: 403, body: { code: "permission_required" } });
    expect(await preview({ origin: "http://evil.example", "x-forwarded-host": "evil.example" })).toMatchObject({
      status: 403,
      body: { code: "permission_required" },
    });
    expect(await preview({ origin: "null", "x-forwarded-host": "null" })).toMatchObject({ status: 403 });
  });
});
