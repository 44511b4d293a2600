import { tryAsciiName } from "./names";
import type { ParseResult } from "./servers";
import { isSpfRecord } from "./spf";

/**
 * A record the administrator must publish. Plain JSON: the same shape is the `expected`
 * part of the CLI's JSON interface (`--records FILE`), so it must round-trip through
 * JSON.stringify/JSON.parse unchanged. Names are fully qualified.
 */
export type ExpectedRecord =
  | { kind: "ownership"; type: "TXT"; name: string; value: string; required: boolean }
  /** One entry per inbound host. */
  | { kind: "mx"; type: "MX"; name: string; exchange: string; preference: number; required: boolean }
  /** `value` is the suggested full record, e.g. `v=spf1 include:_spf.example.net ~all`. */
  | { kind: "spf"; type: "TXT"; name: string; include: string; value: string; required: boolean }
  /** `value` is `v=DKIM1; k=rsa; p=MIIB…`, published at `<selector>._domainkey.<domain>`. */
  | { kind: "dkim"; type: "TXT"; name: string; value: string; required: boolean }
  /** Advisory only: never fails a domain. */
  | { kind: "dmarc"; type: "TXT"; name: string; value: string; required: false };

export type ExpectedKind = ExpectedRecord["kind"];

export interface VerificationInput {
  domain: string;
  records: ExpectedRecord[];
}

const KIND_TYPES: Record<ExpectedKind, "TXT" | "MX"> = { ownership: "TXT", mx: "MX", spf: "TXT", dkim: "TXT", dmarc: "TXT" };

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Validates untrusted JSON (a `--records` file, a request body) as `ExpectedRecord[]`
 * without a schema library. Returns fresh objects holding only the known fields, or every
 * problem found, each prefixed with its path (`records[2].preference ...`).
 */
export function parseExpectedRecords(json: unknown): ParseResult<ExpectedRecord[]> {
  if (!Array.isArray(json)) return { ok: false, errors: ["records must be an array"] };
  const errors: string[] = [];
  const value: ExpectedRecord[] = [];
  json.forEach((item: unknown, index) => {
    const at = `records[${index}]`;
    const before = errors.length;
    if (!isObject(item)) {
      errors.push(`${at} must be an object`);
      return;
    }
    const kind = item.kind;
    if (typeof kind !== "string" || !(kind in KIND_TYPES)) {
      errors.push(`${at}.kind must be one of ${Object.keys(KIND_TYPES).join(", ")}`);
      return;
    }
    const k = kind as ExpectedKind;
    if (item.type !== KIND_TYPES[k]) errors.push(`${at}.type must be "${KIND_TYPES[k]}" for kind "${k}"`);
    const name = tryAsciiName(item.name);
    if (typeof item.name !== "string") errors.push(`${at}.name must be a string`);
    else if (!name.ok) errors.push(`${at}.name "${item.name}" is not a valid DNS name: ${name.error}`);
    if (typeof item.required !== "boolean") errors.push(`${at}.required must be true or false`);
    if (k === "dmarc" && item.required !== false) errors.push(`${at}.required must be false for dmarc (DMARC is advisory)`);
    if (k !== "mx") {
      if (typeof item.value !== "string" || item.value.trim() === "") errors.push(`${at}.value must be a non-empty string`);
    }
    if (k === "mx") {
      const exchange = tryAsciiName(item.exchange);
      if (typeof item.exchange !== "string") errors.push(`${at}.exchange must be a string`);
      else if (!exchange.ok) errors.push(`${at}.exchange "${item.exchange}" is not a valid host name: ${exchange.error}`);
      const pref = item.preference;
      if (typeof pref !== "number" || !Number.isInteger(pref) || pref < 0 || pref > 65535) {
        errors.push(`${at}.preference must be an integer from 0 to 65535`);
      }
    }
    if (k === "spf") {
      const include = tryAsciiName(item.include);
      if (typeof item.include !== "string" || !include.ok) errors.push(`${at}.include must be a domain name`);
      if (typeof item.value === "string" && !isSpfRecord(item.value)) errors.push(`${at}.value must start with "v=spf1"`);
    }
    if (errors.length > before) return;
    const name_ = item.name as string;
    const required = item.required as boolean;
    const text = item.value as string;
    switch (k) {
      case "ownership":
        value.push({ kind: "ownership", type: "TXT", name: name_, value: text, required });
        break;
      case "mx":
        value.push({ kind: "mx", type: "MX", name: name_, exchange: item.exchange as string, preference: item.preference as number, required });
        break;
      case "spf":
        value.push({ kind: "spf", type: "TXT", name: name_, include: item.include as string, value: text, required });
        break;
      case "dkim":
        value.push({ kind: "dkim", type: "TXT", name: name_, value: text, required });
        break;
      case "dmarc":
        value.push({ kind: "dmarc", type: "TXT", name: name_, value: text, required: false });
        break;
    }
  });
  return errors.length > 0 ? { ok: false, errors } : { ok: true, value };
}
