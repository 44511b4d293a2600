import { cn } from "@/components/ui/cn";
import { SCENARIO_INFO } from "@/lib/domains/scenarios";
import type { DomainView } from "@/lib/domains/types";

/**
 * Under a domain's name: its A-label form when it is internationalised, and what kind of domain it
 * is with its scenario. `compact` for the list's rows, larger on the domain page.
 */
export function DomainSubtitle({ domain, compact = false }: { domain: Pick<DomainView, "name" | "displayName" | "kind" | "scenario">; compact?: boolean }) {
  const scenario = SCENARIO_INFO[domain.scenario];
  const own = compact ? "Own domain" : "Your own domain";
  return (
    <>
      {domain.displayName !== domain.name ? <p className={cn("font-mono text-slate-500", compact ? "text-xs" : "mt-1 text-sm")}>{domain.name}</p> : null}
      <p className={compact ? "text-xs text-slate-500" : "mt-1 text-sm text-slate-600"}>
        {domain.kind === "platform" ? "Platform domain" : own} · Scenario {scenario.number}: {scenario.title}
      </p>
    </>
  );
}
