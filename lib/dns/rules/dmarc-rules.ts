import type { Diagnosis } from "../report";
import { dmarcPolicy, isDmarcRecord, isMiscasedDmarcRecord, parseTagList } from "../txt";
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
  return [...values.filter(isMiscasedDmarcRecord).map((value) => miscasedVersion(ctx, value)), ...invalidPolicy(ctx, values.filter(isDmarcRecord))];
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
