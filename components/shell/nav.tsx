"use client";

import * as DialogPrimitive from "@radix-ui/react-dialog";
import { Menu, X } from "lucide-react";
import { usePathname } from "next/navigation";
import { useState } from "react";

import { cn } from "@/components/ui/cn";
import { Link } from "@/components/ui/link";

import { NAV_ITEMS } from "./nav-items";

function isActive(pathname: string, href: string): boolean {
  return href === "/" ? pathname === "/" : pathname === href || pathname.startsWith(`${href}/`);
}

function NavLinks({ onNavigate }: { onNavigate?: () => void }) {
  const pathname = usePathname();
  return (
    <ul className="space-y-1">
      {NAV_ITEMS.map(({ href, label, icon: Icon }) => {
        const active = isActive(pathname, href);
        return (
          <li key={href}>
            <Link
              href={href}
              onClick={onNavigate}
              aria-current={active ? "page" : undefined}
              className={cn(
                "flex items-center gap-3 rounded-md px-3 py-2 text-sm font-medium",
                active ? "bg-brand-50 text-brand-700" : "text-slate-700 hover:bg-slate-100",
              )}
            >
              <Icon className="size-4" aria-hidden />
              {label}
            </Link>
          </li>
        );
      })}
    </ul>
  );
}

/** The main destinations as a sidebar, on screens wide enough to keep one beside the page. */
export function SideNav() {
  return (
    <nav aria-label="Main" className="hidden w-56 shrink-0 border-r border-slate-200 bg-white px-3 py-4 lg:block">
      <NavLinks />
    </nav>
  );
}

/**
 * On narrower screens a menu button in the header opens every section in a sheet, so no section
 * hides behind a strip that scrolls sideways. Choosing one closes the sheet.
 */
export function MobileNav() {
  const [open, setOpen] = useState(false);
  return (
    <DialogPrimitive.Root open={open} onOpenChange={setOpen}>
      <DialogPrimitive.Trigger
        className="-ml-1 flex size-9 shrink-0 items-center justify-center rounded-md text-slate-700 hover:bg-slate-100 lg:hidden"
        aria-label="Menu"
        data-testid="nav-menu-button"
      >
        <Menu className="size-5" aria-hidden />
      </DialogPrimitive.Trigger>
      <DialogPrimitive.Portal>
        <DialogPrimitive.Overlay className="fixed inset-0 z-40 bg-slate-900/40 lg:hidden" />
        <DialogPrimitive.Content className="fixed inset-y-0 left-0 z-50 flex w-72 max-w-[85vw] flex-col overflow-y-auto bg-white shadow-xl lg:hidden">
          <div className="flex h-14 shrink-0 items-center justify-between border-b border-slate-200 px-4">
            <DialogPrimitive.Title className="text-sm font-semibold text-slate-900">Email Routing</DialogPrimitive.Title>
            <DialogPrimitive.Description className="sr-only">Go to a section of the console</DialogPrimitive.Description>
            <DialogPrimitive.Close className="flex size-9 items-center justify-center rounded-md text-slate-600 hover:bg-slate-100" aria-label="Close menu">
              <X className="size-5" aria-hidden />
            </DialogPrimitive.Close>
          </div>
          <nav aria-label="Main" className="px-3 py-4">
            <NavLinks onNavigate={() => setOpen(false)} />
          </nav>
        </DialogPrimitive.Content>
      </DialogPrimitive.Portal>
    </DialogPrimitive.Root>
  );
}
