import type { Scenario } from "./types";

/**
 * The four routing scenarios as the wizard presents them (PRODUCT.md, seed article). Pure data:
 * shared by the scenario cards, the summary, the domain pages and the route tester.
 */
export interface ScenarioInfo {
  id: Scenario;
  number: 1 | 2 | 3 | 4;
  title: string;
  advanced: boolean;
  summary: string;
  customersWriteTo: string;
  suits: string;
  dnsChanges: string;
  mailServerChanges: string;
}

export const SCENARIO_INFO: Record<Scenario, ScenarioInfo> = {
  own_domain: {
    id: "own_domain",
    number: 1,
    title: "Your own domain",
    advanced: false,
    summary: "Customers write to an address on a domain you own; mail for it comes straight to us.",
    customersWriteTo: "support@help.acme.com",
    suits: "Best when your support addresses are (or can be) on a subdomain such as help.acme.com.",
    dnsChanges: "Yes: an ownership TXT record and MX records for the domain; SPF and DKIM to send replies.",
    mailServerChanges: "None: your own mail server is not involved.",
  },
  own_domain_with_copies: {
    id: "own_domain_with_copies",
    number: 2,
    title: "Your own domain, keeping copies",
    advanced: true,
    summary: "Customers keep writing to your existing addresses; your mail server redirects each one to a subdomain registered here and keeps a copy.",
    customersWriteTo: "support@acme.com → redirected to support@help.acme.com",
    suits: "When your addresses are on your main domain (acme.com), or you must keep every message on your own server.",
    dnsChanges: "Yes, for the registered subdomain: ownership TXT and MX; SPF and DKIM to send replies.",
    mailServerChanges: "Yes: a redirect rule for each address (Microsoft 365, Google Workspace, Postfix…).",
  },
  platform_domain: {
    id: "platform_domain",
    number: 3,
    title: "The platform domain",
    advanced: false,
    summary: "Customers write to an address under our domain, such as support@acme.<platform domain>. Nothing to set up in DNS.",
    customersWriteTo: "support@acme.<platform domain>",
    suits: "The quickest start, or when you cannot change DNS records.",
    dnsChanges: "None: we own the platform domain.",
    mailServerChanges: "None.",
  },
  platform_domain_with_copies: {
    id: "platform_domain_with_copies",
    number: 4,
    title: "The platform domain, keeping copies",
    advanced: true,
    summary: "Customers keep writing to your existing addresses; your mail server redirects each one to the platform domain and keeps a copy.",
    customersWriteTo: "support@acme.com → redirected to support@acme.<platform domain>",
    suits: "When you want copies on your own server but cannot change DNS records.",
    dnsChanges: "None.",
    mailServerChanges: "Yes: a redirect rule for each address.",
  },
};

export const SCENARIO_ORDER: Scenario[] = ["own_domain", "own_domain_with_copies", "platform_domain", "platform_domain_with_copies"];

/** The helper's questions; unanswered ones are null. */
export interface ScenarioAnswers {
  existingAddresses: boolean | null;
  onSubdomain: boolean | null;
  needCopies: boolean | null;
  canEditDns: boolean | null;
}

export const EMPTY_ANSWERS: ScenarioAnswers = { existingAddresses: null, onSubdomain: null, needCopies: null, canEditDns: null };

export interface Recommendation {
  scenario: Scenario;
  reason: string;
}

/**
 * Existing addresses on a main domain, or copies wanted, mean a redirect from the admin's own mail
 * server (2 or 4); otherwise mail can come to us directly (1 or 3). Whether they can publish DNS
 * records decides between their own domain (1, 2) and the platform's (3, 4).
 */
export function recommendScenario(answers: ScenarioAnswers): Recommendation | null {
  if (answers.canEditDns === null || answers.existingAddresses === null || answers.needCopies === null) return null;
  if (answers.existingAddresses && answers.onSubdomain === null) return null;
  const redirect = answers.needCopies || (answers.existingAddresses && answers.onSubdomain === false);
  if (answers.canEditDns) {
    if (redirect) {
      return {
        scenario: "own_domain_with_copies",
        reason: answers.needCopies
          ? "You want copies on your own mail server, and you can publish DNS records for a subdomain."
          : "Your addresses are on your main domain: redirect them to a subdomain registered here, so your main domain's mail stays where it is.",
      };
    }
    return {
      scenario: "own_domain",
      reason: answers.existingAddresses
        ? "Your addresses are on a subdomain you control: register it and its mail comes straight to us."
        : "You can publish DNS records: customers will see your own domain, and replies come from it too.",
    };
  }
  if (redirect || answers.existingAddresses) {
    return {
      scenario: "platform_domain_with_copies",
      reason: "You cannot change DNS records, but your mail server can redirect your existing addresses to the platform domain and keep copies.",
    };
  }
  return { scenario: "platform_domain", reason: "You cannot change DNS records: the platform domain works without any." };
}
