/**
 * The set-up wizard as the console shows it: client-safe. The server side is lib/setup/queries.ts
 * and lib/setup/commands/.
 */

import { checkHostname } from "@/lib/domains/hostname";
import { scenarioKeepsCopies, scenarioUsesOwnDomain, type Scenario } from "@/lib/domains/types";

/** The wizard's steps, shared by the pages and the action that saves progress. */
export const WIZARD_STEPS = ["scenario", "domain", "dns", "verify", "addresses", "redirects", "finish"] as const;
export type WizardStep = (typeof WIZARD_STEPS)[number];

export const STEP_LABELS: Record<WizardStep, string> = {
  scenario: "Scenario",
  domain: "Domain",
  dns: "DNS records",
  verify: "Verify",
  addresses: "Addresses",
  redirects: "Redirect rules",
  finish: "Finish",
};

/** Which steps a scenario goes through: DNS only for own domains, redirects only when keeping copies. */
export function stepsFor(scenario: Scenario | null): WizardStep[] {
  if (!scenario) return ["scenario", "domain", "addresses", "finish"];
  return [
    "scenario",
    "domain",
    ...(scenarioUsesOwnDomain(scenario) ? (["dns", "verify"] as const) : []),
    "addresses",
    ...(scenarioKeepsCopies(scenario) ? (["redirects"] as const) : []),
    "finish",
  ];
}

/** A route of the wizard's domain, as the Addresses, Redirect rules and Finish steps list it. */
export interface WizardRoute {
  id: string;
  pattern: string;
  address: string;
  queueName: string;
  status: "pending" | "active" | "error";
}

/** An unfinished set-up, as the list to resume or discard shows it. */
export interface SetupRunSummary {
  id: string;
  /** The domain it registered, as admins read it; null before the Domain step. */
  domainName: string | null;
  scenario: Scenario | null;
  step: WizardStep;
  updatedAt: string;
  startedBy: string | null;
}

/** A redirect the admin's own mail system makes (scenarios 2 and 4): from the original address to the registered one. */
export interface RedirectPair {
  from: string;
  to: string;
}

/** What the Redirect rules step checks the rules against: read on the server, compared as the admin types. */
export interface RedirectContext {
  /** Addresses with a route in the organisation that share a local part with this domain's routes. */
  routedAddresses: string[];
  /** The redirects of the organisation's other keep-copies domains, for those local parts. */
  otherRedirects: RedirectPair[];
}

export interface RedirectWarning {
  kind: "overlap" | "no_route" | "loop";
  /** The address the warning is about (the rule's original address). */
  address: string;
  message: string;
}

const MAX_CHAIN = 20;

/** One form per address: the local part without case, the domain in its ASCII form. */
function addressKey(address: string): string {
  const trimmed = address.trim();
  const at = trimmed.lastIndexOf("@");
  const domain = trimmed.slice(at + 1);
  const checked = checkHostname(domain);
  return `${trimmed.slice(0, at).toLowerCase()}@${checked.ok ? checked.ascii : domain.toLowerCase()}`;
}
const key = addressKey;

/**
 * What would go wrong with a set of redirects, before the admin creates them: an address both
 * routed here directly and redirected (customers' mail would arrive twice), a redirect to an
 * address with no route (mail refused), and redirects that lead back to where they started.
 * Addresses compare without case.
 */
export function redirectWarnings(rules: readonly RedirectPair[], context: RedirectContext): RedirectWarning[] {
  const routed = new Set(context.routedAddresses.map(key));
  const next = new Map<string, string>();
  for (const rule of [...context.otherRedirects, ...rules]) next.set(key(rule.from), key(rule.to));
  const warnings: RedirectWarning[] = [];
  const looped = new Set<string>();
  for (const rule of rules) {
    const from = key(rule.from);
    if (routed.has(from)) {
      warnings.push({
        kind: "overlap",
        address: rule.from,
        message: `${rule.from} has a route of its own and would also be redirected to ${rule.to}: each message would arrive twice. Delete its route, or leave it out of the redirects.`,
      });
    }
    if (!routed.has(key(rule.to))) {
      warnings.push({ kind: "no_route", address: rule.from, message: `${rule.from} would be redirected to ${rule.to}, which has no route: that mail would be refused.` });
    }
    const chain = [from];
    let at = next.get(from);
    while (at !== undefined && chain.length <= MAX_CHAIN) {
      if (chain.includes(at)) {
        const cycle = [...chain.slice(chain.indexOf(at)), at];
        const name = [...cycle].slice(0, -1).sort().join(" ");
        if (!looped.has(name)) {
          looped.add(name);
          warnings.push({
            kind: "loop",
            address: rule.from,
            message: `These redirects would loop, sending each message round for ever: ${cycle.join(" → ")}. Remove one of them.`,
          });
        }
        break;
      }
      chain.push(at);
      at = next.get(at);
    }
  }
  return warnings;
}
