import type { AuthVerdict, AuthVerdicts, DeliveryStatus } from "@/lib/mail/types";
import { plainVerifierNote } from "@/lib/mail/verifier-notes";

import type { AuthCheckView } from "./types";

/**
 * SPF, DKIM, DMARC and ARC verdicts in an administrator's words: what was checked, what it means
 * for this message, and what the evidence was. Pure (the message page's view model calls it; unit
 * tests read it).
 */
export interface AuthFacts extends AuthVerdicts {
  clientAddress: string;
  envelopeFrom: string;
  /** What happened to this organisation's copies, to say what a DMARC failure led to. */
  statuses: readonly DeliveryStatus[];
}

function domainOf(address: string): string | null {
  const at = address.lastIndexOf("@");
  return at > 0 && at < address.length - 1 ? address.slice(at + 1).toLowerCase() : null;
}

const TEMPORARY = "a DNS lookup failed or timed out, so no verdict was reached. This is not held against the sender.";

function describeSpf(facts: AuthFacts): AuthCheckView {
  const spf = facts.details.spf;
  const domain = spf.domain ?? domainOf(facts.envelopeFrom);
  const client = facts.clientAddress;
  const d = domain ?? "the sender's domain";
  const summaries: Record<AuthVerdict, string> = {
    pass: `${client} is allowed to send mail for ${d}: its SPF record lists that server.`,
    fail: `${d}'s SPF record says ${client} may not send its mail (-all): the sender address may be forged.`,
    softfail: `${d}'s SPF record says ${client} is probably not allowed to send its mail (~all).`,
    neutral: `${d}'s SPF record neither allows nor forbids ${client} (?all).`,
    none: domain
      ? `${domain} publishes no SPF record, so the sending server could not be checked.`
      : "The envelope sender was empty (a bounce or notification), so there was no domain to check SPF for.",
    temperror: `The SPF check of ${d} did not finish: ${TEMPORARY}`,
    permerror: `${d}'s SPF record is broken (a syntax error, or more than 10 DNS lookups), so receivers ignore it.`,
    policy: `SPF of ${d} was decided by a local policy.`,
  };
  const details: string[] = [];
  if (domain) details.push(`Domain checked: ${domain}`);
  details.push(`Sending server: ${client}`);
  if (spf.lookups !== null) details.push(`DNS lookups used: ${spf.lookups} of 10`);
  if (spf.explanation) details.push(`Verifier's note: ${plainVerifierNote(spf.explanation)}`);
  return { check: "SPF", verdict: facts.spf, summary: summaries[facts.spf] ?? summaries.neutral, details };
}

function describeDkim(facts: AuthFacts): AuthCheckView {
  const signatures = facts.details.dkim;
  const passing = signatures.filter((signature) => signature.verdict === "pass");
  const signers = (list: typeof signatures) => [...new Set(list.map((signature) => signature.domain ?? "an unnamed domain"))].join(", ");
  let summary: string;
  switch (facts.dkim) {
    case "pass": {
      const aligned = passing.some((signature) => signature.aligned);
      summary = `Signed by ${signers(passing)}, and the signature verifies: the signed parts were not changed on the way${aligned ? "; the signer matches the From domain" : ", though the signer is not the From domain"}.`;
      break;
    }
    case "none":
      summary = "The message carries no DKIM signature, so nothing proves who sent it or that it is unchanged.";
      break;
    case "fail":
      summary = `The DKIM signature${signatures.length > 1 ? "s" : ""} by ${signers(signatures)} did not verify: the message was changed after signing (often by a forwarding server or mailing list), or it does not match the published key.`;
      break;
    case "temperror":
      summary = `The DKIM check did not finish: ${TEMPORARY}`;
      break;
    case "permerror":
      summary = `The DKIM signature${signatures.length > 1 ? "s" : ""} by ${signers(signatures)} could not be checked: the signature is malformed, or no usable key is published for its selector.`;
      break;
    default:
      summary = `DKIM: ${facts.dkim}.`;
  }
  // mailauth reports an unsigned message as one signature-less entry: nothing to list for it.
  const details = signatures.filter((signature) => signature.domain !== null || signature.verdict !== "none").map((signature) => {
    const where = signature.domain ? `${signature.selector ? `${signature.selector}._domainkey.` : ""}${signature.domain}` : "unnamed signer";
    const alignment = signature.aligned ? "matches the From domain" : "does not match the From domain";
    return `Signature ${where}: ${signature.verdict}, ${alignment}${signature.explanation ? ` (${plainVerifierNote(signature.explanation)})` : ""}`;
  });
  return { check: "DKIM", verdict: facts.dkim, summary, details };
}

function dmarcConsequence(facts: AuthFacts): string {
  const policy = facts.dmarcPolicy;
  if (policy !== "quarantine" && policy !== "reject") {
    return policy === "none" ? " Its policy is none (monitoring only), so the message was delivered as usual." : " It was delivered as usual.";
  }
  const statuses = new Set(facts.statuses);
  const outcome =
    statuses.size === 1 && statuses.has("spam")
      ? "so the message went to the route's spam queue"
      : statuses.size === 1 && statuses.has("flagged")
        ? "so the message was delivered flagged (the route has no spam queue)"
        : "so the message went to each route's spam queue, or was flagged where a route has none";
  return ` Its policy is ${policy}, ${outcome}; nothing was dropped.`;
}

function describeDmarc(facts: AuthFacts): AuthCheckView {
  const dmarc = facts.details.dmarc;
  const d = dmarc.domain ?? "the From domain";
  const aligned = [dmarc.spfAligned ? `SPF (${dmarc.spfAligned})` : null, dmarc.dkimAligned ? `DKIM (${dmarc.dkimAligned})` : null].filter(Boolean);
  let summary: string;
  switch (facts.dmarc) {
    case "pass":
      summary = `The From domain ${d} passes DMARC: ${aligned.length > 0 ? aligned.join(" and ") : "a check"} passed for a domain matching it.`;
      break;
    case "fail":
      summary = `The From domain ${d} fails DMARC: neither SPF nor DKIM passed for a domain matching it, so the From address may be forged.${dmarcConsequence(facts)}`;
      break;
    case "none":
      summary = dmarc.domain ? `${dmarc.domain} publishes no DMARC record, so its owner asks nothing of receivers.` : "There was no From domain to check DMARC for.";
      break;
    case "temperror":
      summary = `The DMARC check of ${d} did not finish: ${TEMPORARY}`;
      break;
    case "permerror":
      summary = `${d}'s DMARC record is broken, so receivers ignore it.`;
      break;
    default:
      summary = `DMARC of ${d}: ${facts.dmarc}.`;
  }
  const details: string[] = [];
  if (dmarc.domain) details.push(`From domain: ${dmarc.domain}`);
  if (facts.dmarcPolicy) details.push(`Policy that applied: ${facts.dmarcPolicy}`);
  details.push(`SPF aligned: ${dmarc.spfAligned ?? "no"}`, `DKIM aligned: ${dmarc.dkimAligned ?? "no"}`);
  return { check: "DMARC", verdict: facts.dmarc, summary, details };
}

function describeArc(facts: AuthFacts): AuthCheckView {
  const instances = facts.details.arc.instances;
  const summaries: Partial<Record<AuthVerdict, string>> = {
    pass: `An ARC chain of ${instances} ${instances === 1 ? "set" : "sets"} verifies: the servers that forwarded the message recorded the checks they saw.`,
    fail: "The message's ARC chain is broken: a forwarding server's record of earlier checks cannot be trusted.",
    none: "No ARC chain: no forwarding server recorded earlier checks (usual for mail sent directly).",
    temperror: `The ARC check did not finish: ${TEMPORARY}`,
  };
  return { check: "ARC", verdict: facts.arc, summary: summaries[facts.arc] ?? `ARC: ${facts.arc}.`, details: instances > 0 ? [`Sets in the chain: ${instances}`] : [] };
}

export function describeAuthentication(facts: AuthFacts): AuthCheckView[] {
  return [describeSpf(facts), describeDkim(facts), describeDmarc(facts), describeArc(facts)];
}

