import { domainNameToAscii } from "@/lib/dns/idna";

/**
 * Redirect rules for scenarios 2 and 4: the admin's own mail system sends each original address on
 * to the registered one AND keeps delivering it to its own mailbox. Pure text builders, shared by
 * the wizard, the route tester and the tests that run the Postfix text on a real Postfix. The
 * wording of each mail system's settings follows its admin console (Exchange admin center, Google
 * Admin console), so an admin can find every item by its name.
 */
export interface RedirectRule {
  /** The address customers write to today, on the admin's own mail system. */
  from: string;
  /** The registered address that routes into a queue. */
  to: string;
}

export type MailSystem = "microsoft" | "google" | "postfix";

/**
 * Stamped by each Exchange rule on the messages it copies; the rule skips a message that already
 * carries it with its own target, so a copy that finds its way back is not copied again.
 */
export const COPY_MARK_HEADER = "X-Email-Routing-Copied-To";

export interface RuleValue {
  label?: string;
  text: string;
}

export interface RuleSetting {
  /** Where in the mail system's form, e.g. "Apply this rule if". */
  section: string;
  /** What to choose there, in the mail system's own words. */
  choice: string;
  /** What to type or pick for that choice. */
  values: RuleValue[];
  /** Why the setting is there, when that is not obvious. */
  why?: string;
}

export interface MailSystemRule {
  name: string;
  settings: RuleSetting[];
}

/** Mail systems want the A-label (punycode) form of an internationalised domain. */
export function asciiAddress(address: string): string {
  const at = address.lastIndexOf("@");
  if (at < 0) return address;
  const domain = domainNameToAscii(address.slice(at + 1));
  return domain.ok ? `${address.slice(0, at)}@${domain.ascii}` : address;
}

function domainOf(address: string): string {
  return address.slice(address.lastIndexOf("@") + 1);
}

/** One redirect's rule in a mail system, named after the address it copies; both addresses in A-label form. */
function copyRule(rule: RedirectRule, settings: (from: string, to: string) => RuleSetting[]): MailSystemRule {
  const from = asciiAddress(rule.from);
  return { name: `Copy ${from} to the contact centre`, settings: settings(from, asciiAddress(rule.to)) };
}

/**
 * Exchange Online mail flow rule: "Add recipients → to the Bcc box" adds our address and leaves
 * the original recipient in place. ("Redirect the message to" would replace it: no copy kept.)
 */
export function exchangeCopyRule(rule: RedirectRule): MailSystemRule {
  return copyRule(rule, (from, to) => [
    { section: "Apply this rule if", choice: "The recipient › is this person", values: [{ text: from }] },
    {
      section: "Do the following",
      choice: "Add recipients › to the Bcc box",
      values: [{ text: to }],
      why: `Delivery to ${from} goes on as before; the contact centre gets the same message.`,
    },
    {
      section: "And",
      choice: "Modify the message properties › set a message header",
      values: [
        { label: "Header", text: COPY_MARK_HEADER },
        { label: "Value", text: to },
      ],
    },
    {
      section: "Except if",
      choice: "A message header › includes any of these words",
      values: [
        { label: "Header", text: COPY_MARK_HEADER },
        { label: "Words", text: to },
      ],
      why: "A message that comes back already copied is not copied again (no mail loop).",
    },
    {
      section: "Except if",
      choice: "The sender › domain is",
      values: [{ text: domainOf(to) }],
      why: "Mail the contact centre itself sends to this address is not sent back to it.",
    },
  ]);
}

/** Google Workspace Routing rule: "Also deliver to → Add more recipients" keeps the original delivery. */
export function googleCopyRule(rule: RedirectRule): MailSystemRule {
  return copyRule(rule, (from, to) => [
    { section: "Email messages to affect", choice: "Inbound and Internal - receiving", values: [] },
    {
      section: "Also deliver to",
      choice: "Add more recipients › Add › Basic",
      values: [{ text: to }],
      why: `The message is still delivered to ${from} as well.`,
    },
    {
      section: "Show options › Account types to affect",
      choice: "Users (and Groups, if the address is a Google Group)",
      values: [],
    },
    {
      section: "Show options › Envelope filter",
      choice: "Only affect specific envelope recipients › Single recipient",
      values: [{ text: from }],
      why: "Only mail to this address is copied.",
    },
  ]);
}

/** The rule builder of each mail system set up with one rule per address (Postfix takes one table: postfixCopyConfig). */
export const COPY_RULE_BUILDERS: Record<Exclude<MailSystem, "postfix">, (rule: RedirectRule) => MailSystemRule> = {
  microsoft: exchangeCopyRule,
  google: googleCopyRule,
};

export interface PostfixCopyConfig {
  /** Settings for main.cf, one per line. */
  mainCf: string[];
  /** The virtual alias table: each original address expands to itself (the copy) and ours. */
  virtualMap: string;
  /** Compile the table and load the change. */
  commands: string[];
  mapFile: string;
}

/**
 * Postfix: `virtual_alias_maps` with both addresses on the right. An address listed on its own
 * right-hand side is not expanded again, so it is delivered where it always was, plus to ours.
 */
export function postfixCopyConfig(rules: readonly RedirectRule[], options: { mapFile?: string } = {}): PostfixCopyConfig {
  const mapFile = options.mapFile ?? "/etc/postfix/virtual";
  const lines = rules.map((rule) => {
    const from = asciiAddress(rule.from);
    return `${from.padEnd(32)} ${from}, ${asciiAddress(rule.to)}`;
  });
  return {
    mainCf: [`virtual_alias_maps = hash:${mapFile}`],
    virtualMap: `${lines.join("\n")}\n`,
    commands: [`postmap ${mapFile}`, "postfix reload"],
    mapFile,
  };
}

/** What the contact centre receives through each mail system's rule: who it is from, where replies go. */
export function whatArrives(system: MailSystem, rules: readonly RedirectRule[]): string {
  const example = rules[0] ? asciiAddress(rules[0].from) : "support@your-domain";
  const [local, domain] = [example.slice(0, example.lastIndexOf("@")), domainOf(example)];
  const replies = "From and Reply-To are the customer's, so replies go back to them.";
  switch (system) {
    case "microsoft":
      return (
        `The customer's message, as sent. ${replies} Exchange Online may rewrite the envelope sender ` +
        `(Return-Path) to ${local}+SRS=…@${domain}, its Sender Rewriting Scheme for mail it passes on outside your organisation; ` +
        "bounces then return through Exchange to the customer."
      );
    case "google":
      return `The customer's message, unchanged. ${replies}`;
    case "postfix":
      return (
        `The customer's message, unchanged: virtual alias expansion only adds a recipient. ${replies} ` +
        "The envelope sender (Return-Path) stays the customer's too, so bounces reach them."
      );
  }
}

/** The platform-side default for the original domain: the registered subdomain's parent (help.acme.com → acme.com). */
export function defaultOriginalDomain(registeredName: string, zone: string | null): string {
  if (zone && registeredName.endsWith(`.${zone}`)) return zone;
  const labels = registeredName.split(".");
  return labels.length > 2 ? labels.slice(1).join(".") : "";
}
