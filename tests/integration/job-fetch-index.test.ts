import { afterAll, describe, expect, it } from "vitest";

import { getDb } from "@/lib/db/client";
import { getJobClient, stopJobClient } from "@/lib/jobs/client";
import { QUEUES } from "@/lib/jobs/queues";

import { configWith } from "../support/jobs";

/**
 * A worker fetches the next domain check in pg-boss's order (priority, then age). The queue's set-up
 * gives that order an index, so a fetch reads the first due job instead of sorting every queued one
 * (which made PostgreSQL the limit of re-check throughput with thousands of domains due).
 */
const db = getDb();
afterAll(() => stopJobClient());

describe("fetching the next job", () => {
  it("reads jobs in fetch order from an index, without sorting the queue", async () => {
    const boss = await getJobClient(configWith());
    await boss.insert(Array.from({ length: 200 }, (_, i) => ({ name: QUEUES.domainCheck, data: { domainId: `fetch-order-${i}` }, singletonKey: `fetch-order-${i}` })));
    const plan = await db.$transaction(async (tx) => {
      // With few rows a sequential scan is cheapest; the question is whether the order needs a sort.
      await tx.$executeRawUnsafe("SET LOCAL enable_seqscan = off");
      return tx.$queryRawUnsafe<{ "QUERY PLAN": string }[]>(
        `EXPLAIN SELECT id FROM pgboss.job WHERE name = $1 AND state < 'active' AND start_after < now()
          ORDER BY priority DESC, created_on, id LIMIT 1 FOR UPDATE SKIP LOCKED`,
        QUEUES.domainCheck,
      );
    });
    const text = plan.map((row) => row["QUERY PLAN"]).join("\n");
    expect(text).toMatch(/Index Scan using \S*(job_fetch_order|name_priority_created_on_id)/);
    expect(text).not.toMatch(/Sort/);
    // And pg-boss still hands them out.
    const [first] = await boss.fetch<{ domainId: string }>(QUEUES.domainCheck);
    expect(first?.data.domainId).toMatch(/^fetch-order-/);
  });
});
