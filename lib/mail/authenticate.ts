import "server-only";

import { authenticate, type AuthenticateResult, type AuthStatus } from "mailauth";

import { withResolverDeadline, type ResolverCache, type ServerAddress } from "@/lib/dns";

import type { AuthVerdict, AuthVerdicts } from "./types";

/**
 * SPF, DKIM, DMARC and ARC of an incoming message, by mailauth. Every DNS query goes to OUR
 * configured resolvers through lib/dns (never the operating system's), and the whole verification
 * is bounded by a deadline: a slow or silent DNS server turns into `temperror` verdicts, not into
 * an SMTP session held open. BIMI is off (it fetches logos over HTTPS, and we show none).
 */
export interface AuthenticationInput {
  raw: Buffer;
  clientAddress: string;
  helo: string;
  envelopeFrom: string;
  /** Our host name, written into the Authentication-Results header. */
  mta: string;
}

export interface AuthenticationSettings {
  resolvers: readonly ServerAddress[];
  /** Per DNS query. */
  timeoutMs: number;
  /** For the whole verification. */
  deadlineMs: number;
  /** Shared by a gateway's messages: SPF, DKIM keys and DMARC records are asked once per TTL, not per message. */
  cache?: ResolverCache;
}

export interface Authentication extends AuthVerdicts {
  /** Header lines to put on top of the stored message (Authentication-Results, Received-SPF). */
  headers: string;
}

function verdict(status: AuthStatus | undefined): AuthVerdict {
  const result = status?.result;
  if (result === undefined || result === "skipped") return "none";
  return result === "temperr" ? "temperror" : result;
}

/**
 * The same verdict for every check, with no detail beyond `explanation`: what a message gets when
 * its checks did not run to an answer (the deadline passed, or they failed unexpectedly).
 */
export function uniformAuthentication(
  result: "temperror" | "none",
  { headers = "", explanation = null, timedOut = false }: { headers?: string; explanation?: string | null; timedOut?: boolean } = {},
): Authentication {
  return {
    spf: result,
    dkim: result,
    dmarc: result,
    arc: result,
    dmarcPolicy: null,
    headers,
    details: {
      spf: { domain: null, verdict: result, explanation, lookups: null },
      dkim: [],
      dmarc: { domain: null, verdict: result, policy: null, spfAligned: null, dkimAligned: null },
      arc: { verdict: result, instances: 0 },
      authenticationResults: headers.trim(),
      timedOut,
    },
  };
}

function timedOut(input: AuthenticationInput): Authentication {
  const headers = `Authentication-Results: ${input.mta}; spf=temperror; dkim=temperror; dmarc=temperror (verification deadline reached)\r\n`;
  return uniformAuthentication("temperror", { headers, explanation: "verification deadline reached", timedOut: true });
}

export function summarize(result: AuthenticateResult): Omit<Authentication, "headers"> {
  const signatures = result.dkim.results ?? [];
  const dkim: AuthVerdict =
    signatures.length === 0 ? "none" : signatures.some((signature) => verdict(signature.status) === "pass") ? "pass" : verdict(signatures[0]!.status);
  const spf = result.spf ? verdict(result.spf.status) : "none";
  const dmarc = result.dmarc ? verdict(result.dmarc.status) : "none";
  const arc = result.arc ? verdict(result.arc.status) : "none";
  const dmarcPolicy = result.dmarc && result.dmarc.policy ? result.dmarc.policy.toLowerCase() : null;
  const authenticationResults = /^Authentication-Results:.*$/ms.exec(result.headers)?.[0] ?? "";
  return {
    spf,
    dkim,
    dmarc,
    arc,
    dmarcPolicy,
    details: {
      spf: {
        domain: result.spf ? result.spf.domain : null,
        verdict: spf,
        explanation: result.spf ? (result.spf.status.comment ?? null) : null,
        lookups: result.spf ? (result.spf.lookups?.count ?? null) : null,
      },
      dkim: signatures.map((signature) => ({
        domain: signature.signingDomain ?? null,
        selector: signature.selector ?? null,
        verdict: verdict(signature.status),
        aligned: Boolean(signature.status.aligned),
        explanation: typeof signature.status.comment === "string" ? signature.status.comment : null,
      })),
      dmarc: {
        domain: result.dmarc ? result.dmarc.domain : null,
        verdict: dmarc,
        policy: dmarcPolicy,
        spfAligned: result.dmarc ? result.dmarc.alignment?.spf?.result || null : null,
        dkimAligned: result.dmarc ? result.dmarc.alignment?.dkim?.result || null : null,
      },
      arc: { verdict: arc, instances: result.arc && typeof result.arc.i === "number" ? result.arc.i : 0 },
      authenticationResults: authenticationResults.replace(/\r\n/g, "\n"),
      timedOut: false,
    },
  };
}

export async function authenticateMessage(input: AuthenticationInput, settings: AuthenticationSettings): Promise<Authentication> {
  const result = await withResolverDeadline(
    { resolvers: settings.resolvers, timeoutMs: settings.timeoutMs, deadlineMs: settings.deadlineMs, cache: settings.cache },
    (resolver) =>
      authenticate(input.raw, {
        ip: input.clientAddress,
        helo: input.helo,
        sender: input.envelopeFrom || undefined,
        mta: input.mta,
        resolver,
        disableBimi: true,
      }),
  );
  if (!result) return timedOut(input);
  return { ...summarize(result), headers: result.headers };
}
