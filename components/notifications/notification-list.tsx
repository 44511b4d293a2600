"use client";

import { useQueryClient } from "@tanstack/react-query";
import { Bell, CheckCheck } from "lucide-react";
import { useRouter } from "next/navigation";
import { useTransition } from "react";
import { toast } from "sonner";

import { markNotificationsReadAction } from "@/app/(console)/notifications/actions";
import { Button } from "@/components/ui/button";
import { Card, CardHeader } from "@/components/ui/card";
import { asActionResult } from "@/lib/actions/result";
import type { NotificationFeed } from "@/lib/notifications/types";

import { NOTIFICATIONS_QUERY_KEY } from "./notification-bell";
import { NotificationEntry } from "./notification-item";

export function NotificationList({ feed }: { feed: NotificationFeed }) {
  const router = useRouter();
  const queryClient = useQueryClient();
  const [pending, start] = useTransition();
  return (
    <Card>
      <CardHeader
        title="Recent notifications"
        description="Domain status changes for your whole organisation. Read or unread is yours alone."
        actions={
          <Button
            variant="secondary"
            size="sm"
            pending={pending}
            disabled={feed.unread === 0}
            onClick={() =>
              start(async () => {
                const result = await asActionResult(markNotificationsReadAction({ upTo: feed.items[0]?.createdAt }));
                if (!result.ok) {
                  toast.error(result.error);
                  return;
                }
                await queryClient.invalidateQueries({ queryKey: NOTIFICATIONS_QUERY_KEY });
                router.refresh();
              })
            }
          >
            <CheckCheck aria-hidden /> Mark all read{feed.unread > 0 ? ` (${feed.unread})` : ""}
          </Button>
        }
      />
      {feed.items.length === 0 ? (
        <div className="flex flex-col items-center px-6 py-10 text-center">
          <Bell className="mb-3 size-6 text-slate-400" aria-hidden />
          <p className="max-w-md text-sm text-slate-600">
            Nothing yet. Domains are re-checked in the background; you will hear here when one is verified, loses a record, degrades,
            gives up or recovers.
          </p>
        </div>
      ) : (
        <div className="divide-y divide-slate-100">
          {feed.items.map((item) => (
            <NotificationEntry key={item.id} item={item} />
          ))}
        </div>
      )}
    </Card>
  );
}
