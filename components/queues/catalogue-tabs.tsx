"use client";

import { Inbox, Languages, Sparkles } from "lucide-react";
import { usePathname } from "next/navigation";
import { useState } from "react";

import { Tabs, TabsContent, TabsList, TabsTrigger } from "@/components/ui/tabs";
import { CATALOGUE_NOUNS, type CatalogueKind } from "@/lib/queues/schemas";
import type { CatalogueRow } from "@/lib/queues/types";

import { CatalogueManager } from "./catalogue-manager";

export const CATALOGUE_TABS = { queues: "queue", skills: "skill", languages: "language" } as const satisfies Record<string, CatalogueKind>;
export type CatalogueTab = keyof typeof CATALOGUE_TABS;

const ICONS = { queues: Inbox, skills: Sparkles, languages: Languages } as const;

/**
 * Queues | Skills | Languages. All three lists arrive with the page, so switching is instant; the
 * URL (/queues?tab=skills) follows without a round trip so links and reloads land on the same tab.
 */
export function CatalogueTabs({
  initialTab,
  catalogues,
  canManage,
}: {
  initialTab: CatalogueTab;
  catalogues: Record<CatalogueTab, CatalogueRow[]>;
  canManage: boolean;
}) {
  const pathname = usePathname();
  const [tab, setTab] = useState<CatalogueTab>(initialTab);
  return (
    <Tabs
      value={tab}
      onValueChange={(value) => {
        const next = value as CatalogueTab;
        setTab(next);
        window.history.replaceState(null, "", next === "queues" ? pathname : `${pathname}?tab=${next}`);
      }}
    >
      <TabsList aria-label="Catalogues">
        {(Object.keys(CATALOGUE_TABS) as CatalogueTab[]).map((key) => {
          const Icon = ICONS[key];
          return (
            <TabsTrigger key={key} value={key}>
              <Icon className="hidden size-4 sm:block" aria-hidden />
              {CATALOGUE_NOUNS[CATALOGUE_TABS[key]].titleMany}
              <span className="rounded-full bg-slate-100 px-1.5 text-xs text-slate-600">{catalogues[key].length}</span>
            </TabsTrigger>
          );
        })}
      </TabsList>
      {(Object.keys(CATALOGUE_TABS) as CatalogueTab[]).map((key) => (
        <TabsContent key={key} value={key} className="outline-none">
          <CatalogueManager kind={CATALOGUE_TABS[key]} rows={catalogues[key]} canManage={canManage} />
        </TabsContent>
      ))}
    </Tabs>
  );
}
