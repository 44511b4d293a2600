"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";

import { cn } from "@/components/ui/cn";

import { NAV_ITEMS } from "./nav-items";

function isActive(pathname: string, href: string): boolean {
  return href === "/" ? pathname === "/" : pathname === href || pathname.startsWith(`${href}/`);
}

/** The main destinations: a sidebar on wide screens, a scrolling strip on narrow ones. */
function MainNav({ layout }: { layout: "side" | "top" }) {
  const pathname = usePathname();
  const side = layout === "side";
  return (
    <nav
      aria-label="Main"
      className={side ? "hidden w-56 shrink-0 border-r border-slate-200 bg-white px-3 py-4 lg:block" : "overflow-x-auto border-b border-slate-200 bg-white lg:hidden"}
    >
      <ul className={side ? "space-y-1" : "flex gap-1 px-3 py-2"}>
        {NAV_ITEMS.map(({ href, label, icon: Icon }) => {
          const active = isActive(pathname, href);
          return (
            <li key={href}>
              <Link
                href={href}
                aria-current={active ? "page" : undefined}
                className={cn(
                  "rounded-md text-sm font-medium",
                  side ? "flex items-center gap-3 px-3 py-2" : "block whitespace-nowrap px-3 py-1.5",
                  active ? "bg-brand-50 text-brand-700" : "text-slate-700 hover:bg-slate-100",
                )}
              >
                {side ? <Icon className="size-4" aria-hidden /> : null}
                {label}
              </Link>
            </li>
          );
        })}
      </ul>
    </nav>
  );
}

export function SideNav() {
  return <MainNav layout="side" />;
}

export function TopNav() {
  return <MainNav layout="top" />;
}
