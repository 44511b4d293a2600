import { Bell, Globe, Inbox, KeyRound, LayoutDashboard, ListOrdered, Mails, ScrollText, Wand2, type LucideIcon } from "lucide-react";

export interface NavItem {
  href: string;
  label: string;
  icon: LucideIcon;
}

export const NAV_ITEMS: NavItem[] = [
  { href: "/", label: "Overview", icon: LayoutDashboard },
  { href: "/setup", label: "Setup", icon: Wand2 },
  { href: "/domains", label: "Domains", icon: Globe },
  { href: "/routes", label: "Routes", icon: ListOrdered },
  { href: "/queues", label: "Queues", icon: Inbox },
  { href: "/messages", label: "Messages", icon: Mails },
  { href: "/audit", label: "Audit log", icon: ScrollText },
  { href: "/notifications", label: "Notifications", icon: Bell },
  { href: "/settings/api-keys", label: "API keys", icon: KeyRound },
];

