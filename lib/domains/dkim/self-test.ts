import "server-only";

import { createPublicKey, randomBytes } from "node:crypto";

import { dkimVerify, type DKIMResult } from "mailauth";

import { parseTagList, withResolverDeadline, type ServerAddress } from "@/lib/dns";
import { plainVerifierNote } from "@/lib/mail/verifier-notes";

import { dkimRecordName } from "./keys";
import { dkimSignatureFor } from "./sign";
import type { SelfTestCode, SelfTestOutcome } from "./types";

/**
 * The DKIM self-test: signs a small message with the domain's own private key, then verifies it the
 * way a receiving mail server does — mailauth fetching `<selector>._domainkey.<domain>` from the
 * configured resolvers (DNS_RESOLVERS, never the operating system's), within a deadline. A record
 * whose text looks right can still fail here (a different key, a revoked one, a record receivers'
 * resolvers do not see yet); a pass means receivers will verify what we sign.
 *
 * The message is never sent anywhere, and the private key goes no further than mailauth's signer.
 */
export interface SelfTestKey {
  /** ASCII (A-label) domain name: the signature's d=. */
  domain: string;
  selector: string;
  /** Base64 SubjectPublicKeyInfo: the key the console asked the admin to publish. */
  publicKey: string;
  /** PEM, or null when the console cannot open its sealed copy. */
  privateKeyPem: string | null;
}

export interface SelfTestSettings {
  resolvers: readonly ServerAddress[];
  /** Per DNS query. */
  timeoutMs: number;
  /** For the whole test. */
  deadlineMs: number;
  now?: Date;
}

export interface SelfTestResult {
  outcome: SelfTestOutcome;
  code: SelfTestCode;
  message: string;
  /** mailauth's own comment ("bad signature", "no key", "DNS failure: ETIMEOUT"…), when it made one. */
  detail: string | null;
  /** The record the resolvers returned, whitespace removed (as mailauth reads it), when there was one. */
  seen: string | null;
  testedAt: Date;
}

const OUTCOMES: Record<SelfTestCode, SelfTestOutcome> = {
  pass: "pass",
  key_mismatch: "fail",
  no_key: "fail",
  key_revoked: "fail",
  key_invalid: "fail",
  key_weak: "fail",
  key_ignored: "fail",
  // Not the admin's DNS: our own fault, or DNS that gave no answer.
  signature_invalid: "temporary_failure",
  dns_error: "temporary_failure",
  not_yet_visible: "temporary_failure",
  key_unavailable: "temporary_failure",
};

/** What each result means, in an administrator's words (also used when a stored result is shown again). */
export function describeSelfTest(code: SelfTestCode, recordName: string, detail: string | null): string {
  switch (code) {
    case "pass":
      return `A message signed with this key verified against the key published at ${recordName}: receivers will accept our signatures.`;
    case "key_mismatch":
      return `The key published at ${recordName} does not match the key we sign with, so receivers would reject mail we sign. Replace the record's value with the one shown.`;
    case "no_key":
      return `No DKIM key is published at ${recordName}: the resolvers receivers use found no TXT record there. Publish the record shown.`;
    case "key_revoked":
      return `The record at ${recordName} has an empty p= tag, which revokes the key: receivers reject every signature made with it. Publish the value shown.`;
    case "key_invalid":
      return `The TXT record at ${recordName} is not a usable DKIM key${detail ? ` (${detail})` : ""}. Publish the value shown, exactly as it is.`;
    case "key_ignored":
      return `A signature made with this key verifies against the key at ${recordName}, but receivers will not accept our signatures because of what the record's check found${detail ? ` (${detail})` : ""}. Change the record as its check says.`;
    case "key_weak":
      return `The key published at ${recordName} is shorter than 1024 bits, so receivers ignore it — and it is not this key. Publish the value shown.`;
    case "signature_invalid":
      return `The published key is this one, but our signature did not verify. This is a fault on our side, not in your DNS; please contact support.`;
    case "dns_error":
      return `DNS gave no answer for ${recordName}${detail ? ` (${plainVerifierNote(detail)})` : ""}. This says nothing about your record: the self-test runs again with the next check.`;
    case "not_yet_visible":
      return `Your DNS servers publish this key at ${recordName}, but the resolvers receivers ask still answer from their cache${detail ? ` (${detail})` : ""}. Nothing to change: this clears by itself once the cached answer expires.`;
    case "key_unavailable":
      return `The console could not open this key's private half (its SECRETS_KEY may have changed). Your DNS is not at fault; rotate to a new key, or ask an operator to restore the old SECRETS_KEY.`;
  }
}

export function selfTestOutcome(code: SelfTestCode): SelfTestOutcome {
  return OUTCOMES[code];
}

function result(code: SelfTestCode, key: SelfTestKey, detail: string | null, testedAt: Date, seen: string | null = null): SelfTestResult {
  return { outcome: OUTCOMES[code], code, message: describeSelfTest(code, dkimRecordName(key.selector, key.domain), detail), detail, seen, testedAt };
}

/** A message like the ones we send, small and complete enough for every header we sign. */
function testMessage(domain: string, now: Date): string {
  const address = `dkim-self-test@${domain}`;
  return [
    `From: DKIM self-test <${address}>`,
    `To: <${address}>`,
    `Subject: DKIM self-test for ${domain}`,
    `Date: ${now.toUTCString()}`,
    `Message-ID: <${randomBytes(12).toString("hex")}.dkim-self-test@${domain}>`,
    "MIME-Version: 1.0",
    "Content-Type: text/plain; charset=utf-8",
    "Content-Transfer-Encoding: 7bit",
    "",
    "This message was signed by the Email Routing Console to check the domain's DKIM key.",
    "It was verified on the console's own server and never sent.",
    "",
  ].join("\r\n");
}

/** Our public key in the form mailauth reports the published one (PKCS#1 PEM). */
function asPublishedPem(publicKey: string): string | null {
  try {
    return createPublicKey({ key: Buffer.from(publicKey, "base64"), format: "der", type: "spki" }).export({ type: "pkcs1", format: "pem" }).toString().trim();
  } catch {
    return null;
  }
}

function classify(signature: DKIMResult & { publicKey?: string; rr?: string }, key: SelfTestKey): { code: SelfTestCode; detail: string | null } {
  const status = signature.status;
  const detail = typeof status.comment === "string" && status.comment ? status.comment : null;
  switch (status.result) {
    case "pass":
      return { code: "pass", detail };
    case "fail": {
      // "bad signature": the key at the selector did not verify what our key signed.
      const published = signature.publicKey?.trim();
      return { code: published && published === asPublishedPem(key.publicKey) ? "signature_invalid" : "key_mismatch", detail };
    }
    case "temperror":
      return { code: "dns_error", detail };
    case "policy":
      return { code: "key_weak", detail: detail ?? "weak key" };
    default:
      if (detail === "no key") return { code: "no_key", detail };
      if (detail === "body hash did not verify") return { code: "signature_invalid", detail };
      if (signature.rr !== undefined && parseTagList(signature.rr).get("p") === "") return { code: "key_revoked", detail };
      return { code: "key_invalid", detail };
  }
}

/**
 * A signed test message, kept with its key (dkim_keys.self_test_message) and reused: what a
 * self-test proves is that the published record verifies a signature made with our private key,
 * and a signature made earlier with the same key proves it as well as a new one. Signing (parsing
 * the PEM, an RSA-2048 signature) was about a quarter of a background re-check's CPU, and every
 * re-check of a domain (each 6 hours by default, on whichever worker) self-tests each live key.
 * The verifying half — fetching the record from the resolvers and checking the signature against
 * it — runs every time, and the private key must still open: a key the console can no longer sign
 * with is reported as such whatever was signed before.
 *
 * The message is signed to expire (DKIM's x= tag) a day after it stops being reused, so that a copy
 * read out of the database is worth little to anyone replaying it. It says only that it is a
 * self-test, and was never sent.
 */
const SIGNED_REUSE_MS = 6 * 24 * 3_600_000;
const SIGNED_LIFETIME_MS = SIGNED_REUSE_MS + 24 * 3_600_000;

export interface SignedTestMessage {
  message: string;
  signedAt: Date;
}

/** The two columns a key keeps its message in (dkim_keys.self_test_message, self_test_signed_at), as one value. */
export function keptTestMessage(message: string | null, signedAt: Date | string | null): SignedTestMessage | null {
  return message !== null && signedAt !== null ? { message, signedAt: new Date(signedAt) } : null;
}

function reusable(signed: SignedTestMessage | null | undefined, now: Date): signed is SignedTestMessage {
  if (!signed) return false;
  const age = now.getTime() - signed.signedAt.getTime();
  return age >= -60_000 && age < SIGNED_REUSE_MS;
}

/** Signs a fresh test message with the key; null when mailauth could not sign with it. */
export async function signTestMessage(key: { domain: string; selector: string; privateKeyPem: string }, now: Date): Promise<SignedTestMessage | null> {
  const unsigned = testMessage(key.domain, now);
  const signed = await dkimSignatureFor(
    unsigned,
    { domain: key.domain, selector: key.selector, privateKey: key.privateKeyPem },
    { signTime: now, expires: new Date(now.getTime() + SIGNED_LIFETIME_MS) },
  );
  return signed.ok ? { message: signed.header + unsigned, signedAt: now } : null;
}

/**
 * Tests the key against what the resolvers return. `signed` is the key's kept test message, reused
 * while it is recent; the result's `signed` is what to keep now: the message used (a new one, or
 * the same), null to drop it (it did not verify against our own published key), or undefined to
 * leave what is kept as it is (the private key could not be opened).
 */
export async function runDkimSelfTest(
  key: SelfTestKey & { signed?: SignedTestMessage | null },
  settings: SelfTestSettings,
): Promise<SelfTestResult & { signed?: SignedTestMessage | null }> {
  const now = settings.now ?? new Date();
  if (!key.privateKeyPem) return result("key_unavailable", key, null, now);

  const signed = reusable(key.signed, now) ? key.signed : await signTestMessage({ ...key, privateKeyPem: key.privateKeyPem }, now);
  if (!signed) return result("key_unavailable", key, null, now);

  const verified = await withResolverDeadline({ resolvers: settings.resolvers, timeoutMs: settings.timeoutMs, deadlineMs: settings.deadlineMs }, (resolver) =>
    dkimVerify(signed.message, { resolver, curTime: now }),
  );
  if (!verified) return { ...result("dns_error", key, `no answer within ${Math.round(settings.deadlineMs / 100) / 10} s`, now), signed };
  const ours = verified.results.find(
    (signature) => signature.signingDomain?.toLowerCase() === key.domain.toLowerCase() && signature.selector === key.selector,
  );
  if (!ours) return { ...result("signature_invalid", key, "the signature was not found", now), signed: null };
  const { code, detail } = classify(ours, key);
  const seen = (ours as { rr?: unknown }).rr;
  return { ...result(code, key, detail?.slice(0, 500) ?? null, now, typeof seen === "string" ? seen : null), signed: code === "signature_invalid" ? null : signed };
}
