import type { ReactNode } from "react";

import { NotificationBell } from "@/components/notifications/notification-bell";
import { AppShell } from "@/components/shell/app-shell";
import { requirePageAccess } from "@/lib/auth/gate";
import { getDb } from "@/lib/db/client";
import { getNotificationFeed } from "@/lib/notifications/notifications";

export default async function ConsoleLayout({ children }: { children: ReactNode }) {
  const actor = await requirePageAccess("view");
  const feed = await getNotificationFeed(getDb(), actor, 10);
  return (
    <AppShell actor={actor} headerExtras={<NotificationBell initial={feed} />}>
      {children}
    </AppShell>
  );
}
