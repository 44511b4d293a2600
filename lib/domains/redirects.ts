/**
 * Redirect rules for scenarios 2 and 4: the admin's own mail server sends each original address to
 * the registered one, keeping a copy. Pure text builders, shared by the wizard and the route tester.
 */
export interface RedirectRule {
  /** The address customers write to today, on the admin's own mail system. */
  from: string;
  /** The registered address that routes into a queue. */
  to: string;
}

export function postfixVirtualLines(rules: RedirectRule[]): string {
  // Listing the original address too keeps delivering a copy to its own mailbox.
  return rules.map((rule) => `${rule.from.padEnd(32)} ${rule.from}, ${rule.to}`).join("\n");
}

/** The platform-side default for the original domain: the registered subdomain's parent (help.acme.com → acme.com). */
export function defaultOriginalDomain(registeredName: string, zone: string | null): string {
  if (zone && registeredName.endsWith(`.${zone}`)) return zone;
  const labels = registeredName.split(".");
  return labels.length > 2 ? labels.slice(1).join(".") : "";
}
