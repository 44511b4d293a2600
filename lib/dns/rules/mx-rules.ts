import type { ExpectedRecord } from "../expected";
import { isIpLiteral, normalizeName, sameName } from "../names";
import type { Diagnosis } from "../report";
import { competingMx, hasNullMx, hasOurMx, mxTargetMissing } from "../satisfaction";
import type { RecordOf } from "../types";
import type { RecordContext } from "./context";
import { quietMissing, quote } from "./context";

type MxContext = RecordContext<Extract<ExpectedRecord, { kind: "mx" }>>;

function mxRecords(ctx: MxContext): Array<RecordOf<"MX">> {
  return ctx.records.flatMap((r) => (r.type === "MX" ? [r] : []));
}

const ours = (ctx: MxContext): string => normalizeName(ctx.expected.exchange);
const display = (exchange: string): string => exchange || ".";

/**
 * Everything wrong with the MX records at the name. Specific explanations first; "missing",
 * "wrong preference" or "wrong host" only when none of them explains why our host is not there.
 */
export function mxDiagnoses(ctx: MxContext): Diagnosis[] {
  const specific = [...nullMx(ctx), ...suffixedTargets(ctx), ...ipTargets(ctx), ...aliasTargets(ctx), ...missingHosts(ctx), ...competitors(ctx)];
  const explained = specific.some((d) => d.severity === "error" && d.code !== "competing_mx");
  if (hasOurMx(ctx.expected, ctx.records) || explained || quietMissing(ctx)) return specific;
  return [...specific, missingOrMismatched(ctx)];
}

/** Our host is not published under its own name (so the record fails) — an alias or IP may be why. */
function oursMissing(ctx: MxContext): boolean {
  return !mxRecords(ctx).some((r) => r.exchange === ours(ctx));
}

/**
 * A null MX (`MX 0 .`, RFC 7505) says the domain accepts no mail: alone, senders bounce every
 * message at once; beside other MX records (which it must never be), they may do the same.
 */
export function nullMx(ctx: MxContext): Diagnosis[] {
  if (!hasNullMx(ctx.records)) return [];
  const others = mxRecords(ctx).filter((r) => r.exchange !== "");
  const add = `add an MX record with name ${quote(ctx.enterName)}, mail server ${quote(ours(ctx))} and preference ${ctx.expected.preference}`;
  return [
    {
      code: "null_mx",
      severity: "error",
      message:
        others.length === 0
          ? `${ctx.name} has a null MX record (${quote("MX 0 .")}), which tells every sender that it accepts no mail: they bounce messages to it at once. Delete it, and ${add}.`
          : `${ctx.name} has a null MX record (${quote("MX 0 .")}) beside its other MX records. A null MX says the domain accepts no mail and must stand alone, so senders may bounce messages to it. Delete the null MX record${hasOurMx(ctx.expected, ctx.records) ? "" : `, and ${add}`}.`,
      details: { others: others.length },
    },
  ];
}

/**
 * Our host with the zone's name added to its end (`inbound-1.example.acme.com`): what a DNS host
 * does with a name entered without the final dot where it expects one.
 */
export function suffixedTargets(ctx: MxContext): Diagnosis[] {
  const host = ours(ctx);
  return mxRecords(ctx).flatMap((r) => {
    const zone = zonesOf(ctx).find((z) => r.exchange === `${host}.${z}`);
    if (!zone) return [];
    return [
      {
        code: "mx_target_suffixed" as const,
        severity: "error" as const,
        message: `The MX record at ${ctx.name} points to ${r.exchange}: your DNS host added ${zone} to the end of the mail server's name. Change the mail server to ${quote(`${host}.`)}, with the final dot, so that it is taken as a whole name.`,
        details: { exchange: r.exchange, expected: host, zone },
      },
    ];
  });
}

/** An MX host whose name does not exist: senders skip it (after a lookup), so it only delays mail. */
export function missingHosts(ctx: MxContext): Diagnosis[] {
  const host = ours(ctx);
  return mxRecords(ctx)
    .filter((r) => r.exchange !== "" && r.exchange !== host && !isIpLiteral(r.exchange) && mxTargetMissing(r.exchange, ctx.evidence))
    .filter((r) => !zonesOf(ctx).some((zone) => r.exchange === `${host}.${zone}`))
    .map((r) => ({
      code: "mx_target_missing" as const,
      severity: "warning" as const,
      message: `The MX host ${r.exchange} (preference ${r.preference}) at ${ctx.name} does not exist in DNS, so senders skip it and try the next one; it only delays mail. Delete that MX record.`,
      details: { exchange: r.exchange, preference: r.preference },
    }));
}

function zonesOf(ctx: MxContext): string[] {
  return [normalizeName(ctx.relativeTo), normalizeName(ctx.name)].filter((zone) => zone !== "");
}

/** An MX exchange that is an IP literal: senders skip it (an MX must name a host). */
export function ipTargets(ctx: MxContext): Diagnosis[] {
  const why = oursMissing(ctx);
  return mxRecords(ctx)
    .filter((r) => isIpLiteral(r.exchange))
    .map((r) => ({
      code: "mx_target_ip" as const,
      severity: why ? ("error" as const) : ("warning" as const),
      message: why
        ? `An MX record at ${ctx.name} points to the IP address ${r.exchange}; an MX must name a host, so senders skip it. Replace it with an MX record to ${ours(ctx)} (preference ${ctx.expected.preference}).`
        : `An MX record at ${ctx.name} points to the IP address ${r.exchange}; an MX must name a host, so senders skip it. Delete it.`,
      details: { exchange: r.exchange },
    }));
}

/**
 * An MX exchange that is an alias (RFC 2181 §10.3): some senders refuse it. When it is our host
 * behind the alias, that is why our host counts as missing: one message, with the fix.
 */
export function aliasTargets(ctx: MxContext): Diagnosis[] {
  const out: Diagnosis[] = [];
  // A foreign host that competes with ours is to be removed (competing_mx), not pointed at directly.
  const competing = new Set(competingMx(ctx.expected, ctx.records, ctx.evidence).competitors.map((r) => r.exchange));
  for (const r of mxRecords(ctx)) {
    if (competing.has(r.exchange)) continue;
    const target = ctx.evidence.mxTargets.get(r.exchange);
    // The alias is the problem whether or not its target resolves.
    if (!target || !(target.kind === "answer" || target.kind === "nxdomain" || target.kind === "nodata") || target.chain.length === 0) continue;
    const alias = target.chain[target.chain.length - 1]?.to ?? "";
    const hidesOurs = target.chain.some((l) => sameName(l.to, ours(ctx)));
    out.push({
      code: "mx_target_cname",
      severity: hidesOurs && oursMissing(ctx) ? "error" : "warning",
      message: `The MX target ${r.exchange} at ${ctx.name} is a CNAME for ${alias}; MX targets must not be aliases (RFC 2181 §10.3) and some senders refuse them. Point the MX record directly to ${hidesOurs ? ours(ctx) : alias}.`,
      details: { exchange: r.exchange, target: alias },
    });
  }
  return out;
}

/**
 * Another MX host with a preference equal to or better than our best one: senders deliver there
 * first (better) or share the mail with it (equal), so some or all mail misses us.
 */
export function competitors(ctx: MxContext): Diagnosis[] {
  const { competitors: found, ourBest } = competingMx(ctx.expected, ctx.records, ctx.evidence);
  if (found.length === 0 || !ourBest) return [];
  const better = found.some((r) => r.preference < ourBest.preference);
  const equal = found.some((r) => r.preference === ourBest.preference);
  const relation = better && equal ? "equal to or better than" : better ? "better than" : "equal to";
  const listed = found.map((r) => `MX ${display(r.exchange)} with preference ${r.preference}`).join(" and ");
  return [
    {
      code: "competing_mx",
      severity: "error",
      message: `${ctx.name} also has ${listed}, ${relation} ${ourBest.preference} for our host ${ourBest.exchange}: ${better ? "mail goes there instead of to us" : "some mail goes there instead of to us"}. Remove ${found.length > 1 ? "them" : "it"}, or give ${found.length > 1 ? "them a preference" : "it a preference"} above ${ourBest.preference} if ${found.length > 1 ? "they" : "it"} should only take mail when our hosts cannot.`,
      details: { competing: found.map((r) => ({ exchange: display(r.exchange), preference: r.preference })), ourBestPreference: ourBest.preference },
    },
  ];
}

/** Our host with another preference, no MX at all, or MX records without our host. */
export function missingOrMismatched(ctx: MxContext): Diagnosis {
  const mx = mxRecords(ctx);
  const host = ours(ctx);
  const sameHost = mx.filter((r) => r.exchange === host);
  if (sameHost.length > 0) {
    return {
      code: "mx_preference_mismatch",
      severity: "error",
      message: `The MX record for ${host} at ${ctx.name} has preference ${sameHost.map((r) => r.preference).join(", ")}, not ${ctx.expected.preference}. Change its preference (priority) to ${ctx.expected.preference}.`,
      details: { found: sameHost.map((r) => r.preference), expected: ctx.expected.preference },
    };
  }
  if (mx.length === 0) {
    return {
      code: "record_missing",
      severity: "error",
      message: `No MX records found at ${ctx.name}. At the DNS host for ${ctx.relativeTo}, add an MX record with name ${quote(ctx.enterName)}, mail server ${quote(host)} and preference ${ctx.expected.preference}.`,
      details: { name: ctx.name, enterName: ctx.enterName, exchange: host, preference: ctx.expected.preference },
    };
  }
  return {
    code: "value_mismatch",
    severity: "error",
    message: `${ctx.name} has MX ${mx.map((r) => quote(`${r.preference} ${display(r.exchange)}`)).join(", ")} but none to ${host}. Add an MX record with name ${quote(ctx.enterName)}, mail server ${quote(host)} and preference ${ctx.expected.preference}.`,
    details: { found: mx.map((r) => `${r.preference} ${display(r.exchange)}`) },
  };
}
