import type { ExpectedRecord } from "../expected";
import type { Diagnosis } from "../report";
import { recordsSatisfy, valueSatisfies } from "../satisfaction";
import { isSpfRecord } from "../spf";
import { dkimPublicKey, findConcatenation, hasLiteralQuotes, isDkimRecord, isDmarcRecord, stripLiteralQuotes } from "../txt";
import type { RecordOf } from "../types";
import type { RecordContext } from "./context";
import { quietMissing, quote, shorten } from "./context";
import { dkimDiagnoses } from "./dkim-rules";
import { dmarcDiagnoses } from "./dmarc-rules";
import { spfDiagnoses } from "./spf-rules";

export type TxtContext = RecordContext<Exclude<ExpectedRecord, { kind: "mx" }>>;

function txtRecords(ctx: TxtContext): Array<RecordOf<"TXT">> {
  return ctx.records.flatMap((r) => (r.type === "TXT" ? [r] : []));
}

/**
 * Everything wrong with the TXT values at the name. Specific explanations come first; the
 * generic "missing" / "wrong value" advice only when none of them explains a failure.
 */
export function txtDiagnoses(ctx: TxtContext): Diagnosis[] {
  const split = splitStrings(ctx);
  // Strings joined without their spaces garble the SPF record: advice about the garbled terms
  // would keep them. The split is the one problem.
  const splitExplains = split.some((d) => d.severity === "error");
  const specific = [
    ...split,
    ...separateRecords(ctx),
    ...quotedValues(ctx),
    ...(ctx.expected.kind === "spf" && !splitExplains ? spfDiagnoses({ ...ctx, expected: ctx.expected }) : []),
    ...dkimDiagnoses(ctx),
    ...duplicateDmarc(ctx),
    ...dmarcDiagnoses(ctx),
  ];
  const explained = specific.some((d) => d.severity === "error");
  if (ctx.satisfied || explained || quietMissing(ctx)) return specific;
  return [...specific, missingOrMismatched(ctx)];
}

/** Strings of one record: receivers join them without spaces, the admin may not know that. */
export function splitStrings(ctx: TxtContext): Diagnosis[] {
  const { expected, evidence } = ctx;
  const out: Diagnosis[] = [];
  for (const record of txtRecords(ctx)) {
    if (record.strings.length < 2) continue;
    // "It matches" only when the record as a whole does: beside another problem the note would contradict it.
    if (ctx.satisfied && valueSatisfies(expected, record.value, evidence) && !record.strings.some((s) => valueSatisfies(expected, s, evidence))) {
      out.push({
        code: "txt_split",
        severity: "info",
        message: `The ${ctx.typeLabel} value at ${ctx.name} is split into ${record.strings.length} strings of one TXT record; receivers join them, so it matches. Nothing to change.`,
        details: { strings: record.strings },
      });
    } else if (!ctx.satisfied && !valueSatisfies(expected, record.value, evidence) && valueSatisfies(expected, record.strings.join(" "), evidence)) {
      out.push({
        code: "txt_split",
        severity: "error",
        message: `The ${ctx.typeLabel} record at ${ctx.name} is split into ${record.strings.length} strings that receivers join without spaces, giving ${quote(shorten(record.value))}. Add a space at the end of each string except the last, or publish the value as one string.`,
        details: { strings: record.strings, joined: record.value },
      });
    }
  }
  return out;
}

/** The value entered as separate TXT records instead of strings of one: each is read on its own. */
export function separateRecords(ctx: TxtContext): Diagnosis[] {
  if (ctx.satisfied) return [];
  const values = txtRecords(ctx).map((r) => r.value);
  const key = ctx.expected.kind === "dkim" ? dkimPublicKey(ctx.expected.value) : null;
  const keyPieces = values.map((v) => (v.includes("p=") ? (dkimPublicKey(v) ?? v) : v.replace(/\s+/g, "")));
  const pieces = findConcatenation(ctx.expected.value, values) ?? (key ? findConcatenation(key, keyPieces) : null);
  if (!pieces) return [];
  return [
    {
      code: "txt_split",
      severity: "error",
      message: `The ${ctx.typeLabel} value at ${ctx.name} was entered as ${pieces.length} separate TXT records; receivers read each record on its own, so none of them matches. Delete them and create one TXT record ${quote(ctx.enterName)} with the whole value (your DNS host splits long values into strings of one record by itself).`,
      details: { records: pieces.map((i) => values[i] ?? "") },
    },
  ];
}

/** Quote characters typed into the value: receivers see them. */
export function quotedValues(ctx: TxtContext): Diagnosis[] {
  if (ctx.satisfied) return [];
  const txt = txtRecords(ctx);
  const out: Diagnosis[] = [];
  for (const value of new Set(txt.map((r) => r.value))) {
    if (!hasLiteralQuotes(value)) continue;
    const stripped = stripLiteralQuotes(value);
    const unquoted = txt.map((r) => (r.value === value ? { ...r, value: stripped, strings: [stripped] } : r));
    if (!valueSatisfies(ctx.expected, stripped, ctx.evidence) && !recordsSatisfy(ctx.expected, unquoted, ctx.evidence)) continue;
    out.push({
      code: "txt_quoted",
      severity: "error",
      message: `The TXT record at ${ctx.name} contains quote characters: ${quote(shorten(value))}. Receivers see the quotes, so it does not match. Edit the record at your DNS host and remove the quotes (enter only ${quote(shorten(stripped))}).`,
      details: { found: value, withoutQuotes: stripped },
    });
  }
  return out;
}

/** Receivers ignore DMARC when a name has more than one DMARC record. */
export function duplicateDmarc(ctx: TxtContext): Diagnosis[] {
  if (ctx.expected.kind !== "dmarc") return [];
  const dmarc = txtRecords(ctx).map((r) => r.value).filter(isDmarcRecord);
  if (dmarc.length < 2) return [];
  return [
    {
      code: "value_mismatch",
      severity: "error",
      message: `${ctx.name} has ${dmarc.length} DMARC records; receivers ignore DMARC when there is more than one. Keep only one, e.g. ${quote(ctx.expected.value)}.`,
      details: { found: dmarc },
    },
  ];
}

/** No record of the kind at the name, or records without the expected value: what to add or change. */
export function missingOrMismatched(ctx: TxtContext): Diagnosis {
  const { expected } = ctx;
  const values = txtRecords(ctx).map((r) => r.value);
  const relevant = expected.kind === "spf" ? values.filter(isSpfRecord) : expected.kind === "dkim" ? values.filter(isDkimRecord) : values;
  if (relevant.length === 0 || (expected.kind === "ownership" && values.length === 0)) {
    return {
      code: "record_missing",
      severity: "error",
      message: `No ${ctx.typeLabel} record found at ${ctx.name}. At the DNS host for ${ctx.relativeTo}, add a TXT record with name ${quote(ctx.enterName)} and value ${quote(shorten(expected.value, 120))}.`,
      details: { name: ctx.name, enterName: ctx.enterName, value: expected.value, otherValues: values },
    };
  }
  if (expected.kind === "dkim") {
    const want = dkimPublicKey(expected.value) ?? "";
    const keys = relevant.map((v) => dkimPublicKey(v) ?? "");
    const truncated = keys.find((k) => k.length > 0 && k.length < want.length && want.startsWith(k));
    const revoked = keys.every((k) => k === "");
    return {
      code: "value_mismatch",
      severity: "error",
      message: revoked
        ? `The DKIM record at ${ctx.name} has an empty p= tag, which revokes the key: receivers reject every signature made with it. Replace its value with ${quote(shorten(expected.value))}.`
        : truncated
          ? `The DKIM key at ${ctx.name} is cut short (${truncated.length} of ${want.length} characters of the key): some DNS hosts truncate long values. Paste the whole value ${quote(shorten(expected.value))} again, or ask your DNS host how to enter long TXT values.`
          : `The DKIM record at ${ctx.name} has a different public key (${keys.map((k) => quote(`p=${shorten(k, 30)}`)).join(", ")}) than the expected ${quote(`p=${shorten(want, 30)}`)}. Replace its value with ${quote(shorten(expected.value))}.`,
      details: { found: relevant, expectedKey: want },
    };
  }
  return {
    code: "value_mismatch",
    severity: "error",
    message: `The TXT record${values.length > 1 ? "s" : ""} at ${ctx.name} ${values.length > 1 ? "have" : "has"} ${values.map((v) => quote(shorten(v))).join(", ")}, not the expected ${quote(shorten(expected.value))}. Add a TXT record with name ${quote(ctx.enterName)} and the expected value (other TXT records there can stay).`,
    details: { found: values, expected: expected.value },
  };
}
