"use client";

import * as Popover from "@radix-ui/react-popover";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { Bell, CheckCheck } from "lucide-react";
import { useRouter } from "next/navigation";
import { useState, useTransition } from "react";
import { toast } from "sonner";

import { markNotificationsReadAction } from "@/app/(console)/notifications/actions";
import { Button } from "@/components/ui/button";
import { Link } from "@/components/ui/link";
import { asActionResult } from "@/lib/actions/result";
import type { NotificationFeed } from "@/lib/notifications/types";

import { NotificationEntry } from "./notification-item";

export const NOTIFICATIONS_QUERY_KEY = ["notifications"] as const;

async function fetchFeed(): Promise<NotificationFeed> {
  const response = await fetch("/api/notifications", { cache: "no-store", headers: { accept: "application/json" } });
  if (!response.ok) throw new Error(`notifications: HTTP ${response.status}`);
  return (await response.json()) as NotificationFeed;
}

/** The header's bell: unread count, the latest notifications, "Mark all read". Polls once a minute. */
export function NotificationBell({ initial }: { initial: NotificationFeed }) {
  const router = useRouter();
  const queryClient = useQueryClient();
  const [open, setOpen] = useState(false);
  const [pending, start] = useTransition();
  const { data } = useQuery({
    queryKey: NOTIFICATIONS_QUERY_KEY,
    queryFn: fetchFeed,
    initialData: initial,
    refetchInterval: 60_000,
    refetchOnWindowFocus: true,
  });
  const feed = data ?? initial;
  const count = feed.unread;
  const label = count === 0 ? "Notifications" : `Notifications (${count} unread)`;

  const markAllRead = () =>
    start(async () => {
      const result = await asActionResult(markNotificationsReadAction({ upTo: feed.items[0]?.createdAt }));
      if (!result.ok) {
        toast.error(result.error);
        return;
      }
      queryClient.setQueryData<NotificationFeed>(NOTIFICATIONS_QUERY_KEY, (current) =>
        current ? { unread: 0, items: current.items.map((item) => ({ ...item, unread: false })) } : current,
      );
      await queryClient.invalidateQueries({ queryKey: NOTIFICATIONS_QUERY_KEY });
      router.refresh();
    });

  return (
    <Popover.Root
      open={open}
      onOpenChange={(next) => {
        setOpen(next);
        if (next) void queryClient.invalidateQueries({ queryKey: NOTIFICATIONS_QUERY_KEY });
      }}
    >
      <Popover.Trigger
        className="relative flex size-9 items-center justify-center rounded-md text-slate-700 hover:bg-slate-100"
        aria-label={label}
        data-testid="notification-bell"
      >
        <Bell className="size-5" aria-hidden />
        {count > 0 ? (
          <span
            aria-hidden
            data-testid="notification-count"
            className="absolute -right-0.5 -top-0.5 flex h-4.5 min-w-4.5 items-center justify-center rounded-full bg-red-600 px-1 text-[11px] font-semibold leading-none text-white"
          >
            {count > 99 ? "99+" : count}
          </span>
        ) : null}
      </Popover.Trigger>
      <Popover.Portal>
        <Popover.Content
          align="end"
          sideOffset={8}
          className="z-50 w-[min(24rem,calc(100vw-1.5rem))] overflow-hidden rounded-lg border border-slate-200 bg-white shadow-lg"
        >
          <div className="flex items-center justify-between gap-2 border-b border-slate-200 px-4 py-2.5">
            <p className="text-sm font-semibold text-slate-900">Notifications</p>
            <Button variant="ghost" size="sm" onClick={markAllRead} pending={pending} disabled={count === 0}>
              <CheckCheck aria-hidden /> Mark all read
            </Button>
          </div>
          {feed.items.length === 0 ? (
            <p className="px-4 py-8 text-center text-sm text-slate-600">
              Nothing yet. You will hear here when a domain is verified, loses a record, degrades or recovers.
            </p>
          ) : (
            <div className="max-h-[26rem] divide-y divide-slate-100 overflow-y-auto">
              {feed.items.map((item) => (
                <NotificationEntry key={item.id} item={item} compact onNavigate={() => setOpen(false)} />
              ))}
            </div>
          )}
          <div className="border-t border-slate-200 px-4 py-2.5 text-right">
            <Link href="/notifications" onClick={() => setOpen(false)} className="text-sm font-medium text-brand-700 hover:underline">
              All notifications and webhook settings
            </Link>
          </div>
        </Popover.Content>
      </Popover.Portal>
    </Popover.Root>
  );
}
