import type { ReactNode } from "react";

import { NotificationBell } from "@/components/notifications/notification-bell";
import { AppShell } from "@/components/shell/app-shell";
import { requirePageAccess } from "@/lib/auth/gate";
import { getNotificationFeed } from "@/lib/notifications/queries";

export default async function ConsoleLayout({ children }: { children: ReactNode }) {
  const actor = await requirePageAccess("view");
  const feed = await getNotificationFeed(actor, 10);
  return (
    <AppShell actor={actor} headerExtras={<NotificationBell initial={feed} />}>
      {children}
    </AppShell>
  );
}
