import { Mails } from "lucide-react";
import type { Metadata } from "next";

import { IgnoredFiltersNote } from "@/components/data-table/filters";
import { CursorPagination } from "@/components/data-table/pagination";
import { MessageFilters } from "@/components/messages/message-filters";
import { MessageList } from "@/components/messages/message-list";
import { Card } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";
import { requirePageAccess } from "@/lib/auth/gate";
import { listMessages, messageFilterLabels, messageFilterOptions } from "@/lib/messages/queries";
import { MESSAGE_FILTER_KEYS, messagesHref, parseMessagesQuery, type MessagesQuery } from "@/lib/messages/schemas";
import { ignoredParams } from "@/lib/validation/ignored-params";

export const metadata: Metadata = { title: "Messages" };

const FILTER_NAMES = { q: "search", status: "status", route: "route", queue: "queue", domain: "domain", from: "first day", to: "last day" };

function filtersOf(query: MessagesQuery) {
  return { ...Object.fromEntries(MESSAGE_FILTER_KEYS.map((key) => [key, query[key]])), size: query.size };
}

export default async function MessagesPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const actor = await requirePageAccess("view");
  const raw = await searchParams;
  const query = parseMessagesQuery(raw);
  const [page, labels, options] = await Promise.all([listMessages(actor, query), messageFilterLabels(actor, query), messageFilterOptions(actor)]);
  const filters = filtersOf(query);
  const filtered = MESSAGE_FILTER_KEYS.some((key) => query[key]);
  const paged = Boolean(query.after || query.before);
  const scope = [
    labels.route ? `to route ${labels.route}` : null,
    labels.queue ? `in queue ${labels.queue}` : null,
    labels.domain ? `on ${labels.domain}` : null,
  ].filter(Boolean);

  return (
    <>
      <PageHeader
        title="Messages"
        description="Every message the inbound gateway received for your addresses and every attempt it refused, newest first: where each went, how it was authenticated, and why anything was refused."
      />
      {page.rows.length === 0 && !filtered && !paged ? (
        <EmptyState icon={Mails} title="No mail yet">
          Messages appear here as soon as the gateway accepts mail for one of your routes, or refuses an attempt at one of your domains. Mail arrives once a
          domain is verified (platform domains at once) and has routes.
        </EmptyState>
      ) : (
        <Card>
          <MessageFilters filters={filters} labels={labels} queues={options.queues} domains={options.domains} />
          <IgnoredFiltersNote ignored={ignoredParams(raw, query, MESSAGE_FILTER_KEYS)} labels={FILTER_NAMES} className="border-b border-slate-200 px-4 py-2" />
          {scope.length > 0 ? <p className="border-b border-slate-200 px-4 py-2 text-xs text-slate-600">Showing messages {scope.join(" and ")}.</p> : null}
          <MessageList rows={page.rows} empty={filtered ? "No messages match these filters." : "No more messages."} />
          <CursorPagination
            summary={`${page.rows.length === 0 ? "Nothing here" : `${page.rows.length.toLocaleString("en")} ${page.rows.length === 1 ? "line" : "lines"}`}${paged ? "" : " · newest first"}`}
            newer={page.newer ? messagesHref(filters, { before: page.newer }) : null}
            older={page.older ? messagesHref(filters, { after: page.older }) : null}
          />
        </Card>
      )}
    </>
  );
}
