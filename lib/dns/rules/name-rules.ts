import { formatValue, typed } from "../evidence";
import { relativeName } from "../names";
import type { Diagnosis } from "../report";
import { recordsSatisfy } from "../satisfaction";
import type { RecordContext } from "./context";
import { quote, shorten } from "./context";

/** A CNAME at the record name hides every other record there (or, for delegated DKIM, is fine). */
export function aliasAtName(ctx: RecordContext): Diagnosis[] {
  const outcome = ctx.majority?.observation.outcome;
  if (!ctx.aliased || !outcome || !("chain" in outcome)) return [];
  const chain = outcome.chain;
  const path = [ctx.name, ...chain.map((l) => l.to)].join(" → ");
  if (outcome.kind === "cname_loop") {
    return [
      {
        code: "cname_at_name",
        severity: "error",
        message: `${ctx.name} is a CNAME whose chain ${outcome.reason === "loop" ? "loops" : "is too long"} (${path}), so no ${ctx.typeLabel} record can be found there. Delete the CNAME at ${quote(ctx.enterName)} and publish the ${ctx.typeLabel} record itself.`,
        details: { chain: chain.map((l) => `${l.from} → ${l.to}`) },
      },
    ];
  }
  const target = outcome.kind === "cname" ? outcome.target : (chain[chain.length - 1]?.to ?? "");
  const works = ctx.verdict === "verified";
  return [
    {
      code: "cname_at_name",
      severity: works ? "info" : "error",
      message: works
        ? `${ctx.name} is a CNAME for ${target}; the ${ctx.typeLabel} record found there is correct, so this works as long as ${target} keeps it.`
        : `${ctx.name} is a CNAME for ${target}, and a CNAME hides every other record at that name. Delete the CNAME at ${quote(ctx.enterName)} and create the ${ctx.typeLabel} record there instead.`,
      details: { target, chain: chain.map((l) => `${l.from} → ${l.to}`) },
    },
  ];
}

/**
 * The record was created at `<name>.<zone>`: the DNS host appended the zone to a fully qualified
 * name. That is why it fails; once the record also exists at the right name, the copy is a leftover.
 */
export function doubledSuffix(ctx: RecordContext): Diagnosis[] {
  const out: Diagnosis[] = [];
  for (const probe of ctx.evidence.doubled) {
    const hits = probe.observations.flatMap((o) => (o.outcome.kind === "answer" ? typed(ctx.expected, o.outcome.records) : []));
    if (hits.length === 0) continue;
    const values = [...new Set(hits.map(formatValue))];
    const short = relativeName(ctx.name, probe.suffix);
    if (ctx.verdict === "verified") {
      out.push({
        code: "doubled_zone_suffix",
        severity: "warning",
        message: `A copy of the record is also at ${probe.name} (your DNS host added ${probe.suffix} to a name typed in full). It does no harm; you can delete it.`,
        details: { foundAt: probe.name, enterName: short, values },
      });
      continue;
    }
    const matches = recordsSatisfy(ctx.expected, hits, ctx.evidence);
    out.push({
      code: "doubled_zone_suffix",
      severity: "error",
      message: `Your DNS host added ${probe.suffix} to the name you typed: the record is at ${probe.name}. Enter only ${quote(short)} as the name (names are relative to ${probe.suffix} at most DNS hosts).${
        matches ? "" : ` Its value there is also not the expected one (${values.map((v) => quote(shorten(v))).join(", ")}).`
      }`,
      details: { foundAt: probe.name, enterName: short, values },
    });
  }
  return out;
}
