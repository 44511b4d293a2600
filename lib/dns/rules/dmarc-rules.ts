import type { Diagnosis } from "../report";
import { dmarcPolicy, dmarcReportsNeedingAuthorization, isDmarcRecord, isMiscasedDmarcRecord, parseTagList } from "../txt";
import { quote, shorten } from "./context";
import type { TxtContext } from "./txt-rules";

/**
 * What receivers do with the DMARC record beyond finding it (RFC 7489): a version tag they do not
 * recognise, a policy they cannot apply. DMARC is advice, but a record that does less than it says
 * must not look done.
 */
export function dmarcDiagnoses(ctx: TxtContext): Diagnosis[] {
  if (ctx.expected.kind !== "dmarc") return [];
  const values = ctx.records.flatMap((r) => (r.type === "TXT" ? [r.value] : []));
  const dmarc = values.filter(isDmarcRecord);
  return [...values.filter(isMiscasedDmarcRecord).map((value) => miscasedVersion(ctx, value)), ...invalidPolicy(ctx, dmarc), ...unauthorizedReports(ctx, dmarc)];
}

/**
 * Aggregate reports sent to another organisation's domain: receivers send them only when that
 * domain publishes `<domain>._report._dmarc.<destination>` with `v=DMARC1` (RFC 7489 §7.1). The
 * policy still applies, so this warns. A lookup that failed says nothing either way.
 */
function unauthorizedReports(ctx: TxtContext, dmarc: string[]): Diagnosis[] {
  const { evidence } = ctx;
  return dmarc.flatMap((value) =>
    dmarcReportsNeedingAuthorization(value, evidence.domain, ctx.relativeTo, ctx.expected.value).flatMap(({ destination, name }): Diagnosis[] => {
      const outcome = evidence.dmarcReportAuth.get(name);
      const authorized = outcome?.kind === "answer" && outcome.records.some((r) => r.type === "TXT" && isDmarcRecord(r.value));
      if (!outcome || authorized || (outcome.kind !== "answer" && outcome.kind !== "nodata" && outcome.kind !== "nxdomain")) return [];
      return [
        {
          code: "dmarc_report_unauthorized",
          severity: "warning",
          message: `The DMARC record at ${ctx.name} sends aggregate reports (rua=) to ${destination}, but ${destination} does not authorise reports about ${evidence.domain}: there is no ${quote("v=DMARC1")} TXT record at ${name}, so receivers will not send these reports. Ask whoever runs ${destination} to publish it, or send reports to an address at ${evidence.domain}.`,
          details: { destination, authorizationName: name },
        },
      ];
    }),
  );
}

function miscasedVersion(ctx: TxtContext, value: string): Diagnosis {
  const version = /^v\s*=\s*(\S+?)\s*(;|$)/i.exec(value.trim())?.[1] ?? "";
  return {
    code: "dmarc_tag",
    severity: "error",
    message: `The DMARC record at ${ctx.name} starts with ${quote(`v=${version}`)}; the version tag must be exactly ${quote("v=DMARC1")} (upper case), so receivers ignore this record. Change it to ${quote(shorten(value.trim().replace(/^v\s*=\s*DMARC1/i, "v=DMARC1"), 120))}.`,
    details: { tag: "v", value: version, found: value },
  };
}

/** Receivers read a DMARC record without a valid p= as p=none (RFC 7489 §6.6.3), whatever it seems to ask for. */
function invalidPolicy(ctx: TxtContext, dmarc: string[]): Diagnosis[] {
  // Several records are their own problem (receivers ignore them all).
  if (dmarc.length !== 1) return [];
  const value = dmarc[0] ?? "";
  if (dmarcPolicy(value) !== null) return [];
  const policy = parseTagList(value).get("p");
  const said =
    policy === undefined
      ? `has no ${quote("p=")} tag`
      : `has ${quote(`p=${policy}`)}, which is not a DMARC policy (none, quarantine or reject)`;
  return [
    {
      code: "dmarc_tag",
      severity: "error",
      message: `The DMARC record at ${ctx.name} ${said}: receivers ${parseTagList(value).has("rua") ? `treat it as ${quote("p=none")}` : "ignore it"}, whatever policy you meant. Set ${quote("p=none")}, ${quote("p=quarantine")} or ${quote("p=reject")}, e.g. ${quote(ctx.expected.value)}.`,
      details: { tag: "p", value: policy ?? null, found: value },
    },
  ];
}
