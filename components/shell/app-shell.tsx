import { Building2, Eye, Mail } from "lucide-react";
import type { ReactNode } from "react";

import { Link } from "@/components/ui/link";
import type { Actor } from "@/lib/auth/types";
import { can } from "@/lib/auth/permissions";

import { MobileNav, SideNav } from "./nav";
import { UserMenu } from "./user-menu";

export function AppShell({ actor, children, headerExtras }: { actor: Actor; children: ReactNode; headerExtras?: ReactNode }) {
  const canManage = can(actor, "manage");
  return (
    <div className="flex min-h-screen flex-col">
      <a href="#main" className="sr-only focus:not-sr-only focus:absolute focus:left-3 focus:top-3 focus:z-50 focus:rounded focus:bg-white focus:px-3 focus:py-2">
        Skip to content
      </a>
      <header className="flex h-14 items-center justify-between gap-2 border-b border-slate-200 bg-white px-4 sm:gap-4">
        <div className="flex min-w-0 items-center gap-3">
          <MobileNav />
          <Link href="/" className="flex shrink-0 items-center gap-2 font-semibold text-slate-900" aria-label="Email Routing: overview">
            <Mail className="size-5 text-brand-600" aria-hidden />
            <span className="hidden sm:inline">Email Routing</span>
          </Link>
          <span className="hidden h-5 w-px bg-slate-200 sm:block" aria-hidden />
          <span className="flex min-w-0 items-center gap-1.5 text-sm text-slate-700" data-testid="organization-name">
            <Building2 className="size-4 shrink-0 text-slate-500" aria-hidden />
            <span className="truncate">{actor.organizationName}</span>
          </span>
        </div>
        <div className="flex shrink-0 items-center gap-1 sm:gap-2">
          {headerExtras}
          {canManage ? null : (
            <span className="hidden items-center gap-1 rounded-full bg-amber-50 px-2.5 py-1 text-xs font-medium text-amber-800 ring-1 ring-amber-300 sm:flex">
              <Eye className="size-3.5" aria-hidden /> View only
            </span>
          )}
          <UserMenu
            name={actor.name}
            email={actor.email}
            accessLabel={canManage ? "Can manage email routing" : "Can view email routing (read-only)"}
          />
        </div>
      </header>
      <div className="flex flex-1">
        <SideNav />
        <main id="main" className="min-w-0 flex-1 px-4 py-6 sm:px-8">
          <div className="mx-auto max-w-6xl">{children}</div>
        </main>
      </div>
    </div>
  );
}
