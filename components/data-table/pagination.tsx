"use client";

import { ChevronLeft, ChevronRight, ChevronsLeft, ChevronsRight, Loader2 } from "lucide-react";
import { Suspense, use } from "react";

import { Button, buttonVariants } from "@/components/ui/button";
import { cn } from "@/components/ui/cn";
import { Input } from "@/components/ui/input";
import { Link } from "@/components/ui/link";
import { pageCountOf } from "@/lib/paging";

/**
 * One page of a server-paged list, as the server answered it. The total may still be on its way: a
 * server page can send its rows first and stream the count after them (counting 100,000 rows takes
 * longer than reading fifty), as a promise the pager waits for and the rows do not.
 */
export interface PageState {
  page: number;
  pageSize: number;
  total: number | Promise<number>;
}

function PageJump({ page, pageCount, onPage }: { page: number; pageCount: number | null; onPage: (page: number) => void }) {
  return (
    <form
      className="flex items-center gap-1.5 px-1"
      onSubmit={(event) => {
        event.preventDefault();
        const wanted = Number(new FormData(event.currentTarget).get("page"));
        if (Number.isInteger(wanted)) onPage(Math.min(Math.max(wanted, 1), pageCount ?? wanted));
      }}
    >
      <label htmlFor="table-page" className="whitespace-nowrap">
        Page
      </label>
      <Input id="table-page" name="page" inputMode="numeric" className="h-8 w-16 text-center" defaultValue={String(page)} />
      <span className="whitespace-nowrap">of {pageCount === null ? "…" : pageCount.toLocaleString("en")}</span>
    </form>
  );
}

interface PaginationProps {
  page: PageState;
  busy: boolean;
  onPage: (page: number) => void;
  noun?: string;
}

/** "21–30 of 130", first / previous / page box / next / last; while the total is still being counted, "Counting…". */
export function DataTablePagination(props: PaginationProps) {
  const { total } = props.page;
  if (typeof total === "number") return <Pager {...props} total={total} />;
  return (
    <Suspense fallback={<Pager {...props} total={null} />}>
      <CountedPager {...props} total={total} />
    </Suspense>
  );
}

function CountedPager({ total, ...props }: PaginationProps & { total: Promise<number> }) {
  return <Pager {...props} total={use(total)} />;
}

function Pager({ page, total, busy, onPage, noun = "items" }: PaginationProps & { total: number | null }) {
  const pageCount = total === null ? null : pageCountOf(total, page.pageSize);
  const first = total === 0 ? 0 : (page.page - 1) * page.pageSize + 1;
  const last = total === null ? null : Math.min(page.page * page.pageSize, total);
  const atEnd = pageCount === null || page.page >= pageCount;
  return (
    <nav aria-label="Pages" className="flex flex-wrap items-center justify-between gap-3 border-t border-slate-200 px-4 py-3 text-sm text-slate-600">
      <p aria-live="polite">
        {total === null ? `Counting ${noun}…` : total === 0 ? `No ${noun}` : `${first.toLocaleString("en")}–${last!.toLocaleString("en")} of ${total.toLocaleString("en")}`}
        {busy || total === null ? <Loader2 className="ml-2 inline size-4 animate-spin text-slate-400" aria-label="Loading" /> : null}
      </p>
      <div className="flex items-center gap-1">
        <Button variant="ghost" size="icon" onClick={() => onPage(1)} disabled={page.page <= 1} aria-label="First page">
          <ChevronsLeft aria-hidden />
        </Button>
        <Button variant="ghost" size="icon" onClick={() => onPage(page.page - 1)} disabled={page.page <= 1} aria-label="Previous page">
          <ChevronLeft aria-hidden />
        </Button>
        {/* Keyed by page: the box shows the current page again after every move. */}
        <PageJump key={page.page} page={page.page} pageCount={pageCount} onPage={onPage} />
        <Button variant="ghost" size="icon" onClick={() => onPage(page.page + 1)} disabled={atEnd} aria-label="Next page">
          <ChevronRight aria-hidden />
        </Button>
        <Button variant="ghost" size="icon" onClick={() => pageCount !== null && onPage(pageCount)} disabled={atEnd} aria-label="Last page">
          <ChevronsRight aria-hidden />
        </Button>
      </div>
    </nav>
  );
}

function PageLink({ href, rel, children }: { href: string | null; rel: "prev" | "next"; children: React.ReactNode }) {
  const classes = buttonVariants({ variant: "secondary", size: "sm" });
  return href ? (
    <Link href={href} rel={rel} className={classes}>
      {children}
    </Link>
  ) : (
    <span className={cn(classes, "pointer-events-none opacity-50")} aria-disabled="true">
      {children}
    </span>
  );
}

/** Newer / older links for a list paged by position in time (no page numbers to jump to). */
export function CursorPagination({ summary, newer, older }: { summary: React.ReactNode; newer: string | null; older: string | null }) {
  return (
    <nav aria-label="Pages" className="flex flex-wrap items-center justify-between gap-3 border-t border-slate-200 px-4 py-3 text-sm text-slate-600">
      <p>{summary}</p>
      <div className="flex gap-2">
        <PageLink href={newer} rel="prev">
          <ChevronLeft aria-hidden /> Newer
        </PageLink>
        <PageLink href={older} rel="next">
          Older <ChevronRight aria-hidden />
        </PageLink>
      </div>
    </nav>
  );
}
