import type { ReactNode } from "react";

import { AppShell } from "@/components/shell/app-shell";
import { requirePageAccess } from "@/lib/auth/gate";

export default async function ConsoleLayout({ children }: { children: ReactNode }) {
  const actor = await requirePageAccess("view");
  return <AppShell actor={actor}>{children}</AppShell>;
}
