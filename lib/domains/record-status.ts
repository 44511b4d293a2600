/**
 * What a record's check means to an administrator, in one word: client-safe, shared by the domain
 * page, the wizard's verify step and the share page, so the group summary always says what its
 * records say.
 */

import type { DiagnosisCode } from "@/lib/dns";

import type { DomainView, RecordView } from "./types";

/**
 * Diagnoses that describe the domain's DNS as a whole rather than one record: when every record's
 * check ended on one of them, the page says it once, at the top, instead of on every record.
 */
export const DOMAIN_WIDE_CODES: ReadonlySet<DiagnosisCode> = new Set<DiagnosisCode>([
  "zone_discovery_failed",
  "nameserver_error",
  "servfail",
  "deadline_exceeded",
  "nameserver_address_refused",
]);


export type RecordState =
  /** Found as expected. */
  | "verified"
  /** Something is published at the name, but not the expected value (a wrong TXT value, MX preference, SPF without our include). */
  | "wrong_value"
  /** Nothing of the kind at the name. */
  | "missing"
  /** Verified by an earlier check, missing now. */
  | "disappeared"
  /** An optional record (DMARC) that is not there as suggested: advice, never a failure. */
  | "recommended"
  /** DNS gave no usable answer: nothing is known about the record. */
  | "dns_error"
  /** Never checked. */
  | "pending";

export type GroupState = RecordState | "mixed" | "none";

type StateInput = Pick<RecordView, "kind" | "required" | "verdict" | "found" | "value" | "lastVerifiedAt">;

const sameHost = (a: string, b: string) => a.toLowerCase().replace(/\.$/, "") === b.toLowerCase().replace(/\.$/, "");

/** The found MX entry (`10 mx.example.net`) whose host is this record's, if any. */
export function matchingMx(record: Pick<RecordView, "value" | "found">): string | null {
  return record.found.find((entry) => sameHost(entry.split(/\s+/)[1] ?? "", record.value)) ?? null;
}

/**
 * Whether senders' mail reaches us, read from the last check's MX records: "refused" when a null
 * MX tells senders the domain takes no mail, "elsewhere" when another host takes it before ours
 * (or instead of ours), "unrouted" when no MX record is left at all, null when mail still reaches
 * us (or DNS gave no definite answer). The grace period keeps routes working on our side; it
 * cannot bring this mail back.
 */
export type MailDiversion = "refused" | "elsewhere" | "unrouted";

export function mailDiversion(records: readonly Pick<RecordView, "kind" | "value" | "found" | "verdict" | "diagnoses">[]): MailDiversion | null {
  const mx = records.filter((record) => record.kind === "mx");
  if (mx.length === 0 || mx.some((record) => record.verdict !== "verified" && record.verdict !== "failed")) return null;
  const codes = new Set(mx.flatMap((record) => record.diagnoses.map((diagnosis) => diagnosis.code)));
  if (codes.has("null_mx")) return "refused";
  if (codes.has("competing_mx")) return "elsewhere";
  if (mx.some((record) => matchingMx(record) !== null)) return null;
  return mx.some((record) => record.found.length > 0) ? "elsewhere" : "unrouted";
}

/** True when what was found at the name is this kind of record with another value (not merely other records there). */
function foundSomethingOfItsKind(record: StateInput): boolean {
  switch (record.kind) {
    case "mx":
      return matchingMx(record) !== null;
    case "spf":
      return record.found.some((value) => /^v=spf1(\s|$)/i.test(value));
    default:
      return record.found.length > 0;
  }
}

export function recordState(record: StateInput): RecordState {
  switch (record.verdict) {
    case "pending":
      return "pending";
    case "verified":
      return "verified";
    case "temporary_failure":
      return "dns_error";
    default:
      // DMARC is advice. A DKIM key being rotated in is not required either, but it is to be published: say what is wrong with it.
      if (!record.required && record.kind === "dmarc") return "recommended";
      if (foundSomethingOfItsKind(record)) return "wrong_value";
      return record.lastVerifiedAt ? "disappeared" : "missing";
  }
}

const FAILING: ReadonlySet<RecordState> = new Set(["wrong_value", "missing", "disappeared"]);

/**
 * A group's state from its required records: any failure wins (one word when they fail the same
 * way, "mixed" otherwise), then DNS errors, then records never checked.
 */
export function groupState(records: readonly StateInput[], kinds: readonly RecordView["kind"][]): GroupState {
  const states = records.filter((record) => record.required && kinds.includes(record.kind)).map(recordState);
  if (states.length === 0) return "none";
  const failing = [...new Set(states.filter((state) => FAILING.has(state)))];
  if (failing.length === 1) return failing[0]!;
  if (failing.length > 1) return "mixed";
  if (states.includes("dns_error")) return "dns_error";
  if (states.includes("pending")) return "pending";
  return "verified";
}

export const GROUP_KINDS = { ownership: ["ownership"], inbound: ["mx"], sending: ["spf", "dkim"] } as const satisfies Record<
  keyof DomainView["groups"],
  readonly RecordView["kind"][]
>;

export function groupStates(records: readonly StateInput[]): Record<keyof DomainView["groups"], GroupState> {
  return {
    ownership: groupState(records, GROUP_KINDS.ownership),
    inbound: groupState(records, GROUP_KINDS.inbound),
    sending: groupState(records, GROUP_KINDS.sending),
  };
}
