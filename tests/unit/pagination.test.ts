import { createElement } from "react";
import { renderToString } from "react-dom/server";
import { prerender } from "react-dom/static";
import { describe, expect, it } from "vitest";

import { DataTablePagination, type PageState } from "@/components/data-table/pagination";
import { pageCountOf } from "@/lib/paging";

const pager = (page: PageState) => createElement(DataTablePagination, { page, busy: false, noun: "routes", onPage: () => undefined });

/** The text a server render ends with, every boundary resolved. */
async function renderedText(page: PageState): Promise<string> {
  const { prelude } = await prerender(pager(page));
  const html = await new Response(prelude).text();
  return html.replace(/<[^>]+>/g, " ").replace(/\s+/g, " ");
}

describe("the pager of a server-paged list", () => {
  it("counts pages, one at least", () => {
    expect([pageCountOf(0, 50), pageCountOf(1, 50), pageCountOf(50, 50), pageCountOf(51, 50), pageCountOf(100_000, 50)]).toEqual([1, 1, 1, 2, 2000]);
  });

  it("says it is counting while the total is still on its way, with next and last unavailable", () => {
    const html = renderToString(pager({ page: 1, pageSize: 50, total: new Promise<number>(() => undefined) }));
    expect(html).toContain("Counting routes…");
    expect(html).toMatch(/<button[^>]*disabled=""[^>]*aria-label="Next page"/);
    expect(html).toMatch(/<button[^>]*disabled=""[^>]*aria-label="Last page"/);
    expect(html).not.toMatch(/ of \d/);
  });

  it("shows the range and the page count once the total comes, as when it came with the rows", async () => {
    for (const total of [Promise.resolve(120), 120]) {
      const text = await renderedText({ page: 2, pageSize: 50, total });
      expect(text).toContain("51–100 of 120");
      expect(text).toContain("of 3");
      expect(text).not.toContain("Counting");
    }
    expect(await renderedText({ page: 1, pageSize: 50, total: Promise.resolve(0) })).toContain("No routes");
  });
});
