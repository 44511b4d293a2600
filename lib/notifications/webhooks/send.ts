import "server-only";

import http from "node:http";
import https from "node:https";
import type { LookupAddress } from "node:dns";
import { isIP, type LookupFunction } from "node:net";

import { checkWebhookUrl, refusalFor, type TargetPolicy } from "./address-guard";
import type { HostResolver, ResolvedAddress } from "./resolve";

export interface SendOptions {
  policy: TargetPolicy;
  timeoutMs: number;
  resolve: HostResolver;
}

export type SendResult =
  | { ok: true; status: number; durationMs: number }
  | {
      ok: false;
      /** The receiver's HTTP status, when it answered. */
      status: number | null;
      error: string;
      /** False when trying again cannot help (the address is refused, the URL is invalid). */
      retryable: boolean;
      durationMs: number;
    };

/** How much of a receiver's error response we keep for the delivery log. */
const RESPONSE_SNIPPET_BYTES = 300;

/**
 * POSTs `body` to `url`. The host is resolved once, every address is checked against the SSRF
 * policy (one bad address refuses all: DNS answers are the attacker's to choose), and the socket
 * connects to the checked address — the HTTP client gets a pinned lookup, so a second resolution
 * cannot return a different, internal address (DNS rebinding). Redirects are not followed.
 */
export async function postWebhook(url: string, body: string, headers: Record<string, string>, options: SendOptions): Promise<SendResult> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const fail = (error: string, retryable: boolean, status: number | null = null): SendResult => ({
    ok: false,
    status,
    error: error.slice(0, 1000),
    retryable,
    durationMs: elapsed(),
  });

  const target = checkWebhookUrl(url, options.policy);
  if (!target.ok) return fail(target.reason, false);
  const { hostname } = target;

  let addresses: ResolvedAddress[];
  if (isIP(hostname)) {
    addresses = [{ address: hostname, family: isIP(hostname) === 6 ? 6 : 4 }];
  } else {
    try {
      addresses = await options.resolve(hostname, options.timeoutMs);
    } catch (error) {
      return fail(error instanceof Error ? error.message : `Could not look up ${hostname}.`, true);
    }
  }
  for (const { address } of addresses) {
    const refusal = refusalFor(address, options.policy);
    if (refusal) return fail(isIP(hostname) ? refusal : `${hostname} resolves to ${address}. ${refusal}`, false);
  }
  const pinned = addresses[0];
  if (!pinned) return fail(`${hostname} has no address in DNS.`, true);

  const lookup: LookupFunction = (_name, lookupOptions, callback) => {
    if ((lookupOptions as { all?: boolean }).all) {
      (callback as (error: null, addresses: LookupAddress[]) => void)(null, [{ address: pinned.address, family: pinned.family }]);
    } else {
      callback(null, pinned.address, pinned.family);
    }
  };

  return new Promise<SendResult>((resolve) => {
    const client = target.url.protocol === "https:" ? https : http;
    const request = client.request(
      target.url,
      {
        method: "POST",
        lookup,
        headers: { ...headers, "content-type": "application/json", "content-length": String(Buffer.byteLength(body)) },
        signal: AbortSignal.timeout(options.timeoutMs),
      },
      (response) => {
        const status = response.statusCode ?? 0;
        const chunks: Buffer[] = [];
        let kept = 0;
        response.on("data", (chunk: Buffer) => {
          if (kept < RESPONSE_SNIPPET_BYTES) {
            chunks.push(chunk);
            kept += chunk.length;
          }
        });
        response.on("error", () => undefined);
        response.on("end", () => {
          if (status >= 200 && status < 300) {
            resolve({ ok: true, status, durationMs: elapsed() });
            return;
          }
          const snippet = Buffer.concat(chunks).toString("utf8").slice(0, RESPONSE_SNIPPET_BYTES).replace(/\s+/g, " ").trim();
          const reason =
            status >= 300 && status < 400
              ? `The receiver answered HTTP ${status} (a redirect). Redirects are not followed: enter the final URL.`
              : `The receiver answered HTTP ${status}${snippet ? `: ${snippet}` : "."}`;
          resolve(fail(reason, true, status));
        });
      },
    );
    request.on("error", (error: NodeJS.ErrnoException) => resolve(fail(describeNetworkError(error, target.url, pinned.address, options.timeoutMs), true)));
    request.end(body);
  });
}

function describeNetworkError(error: NodeJS.ErrnoException, url: URL, address: string, timeoutMs: number): string {
  const where = `${url.host} (${address})`;
  if (error.name === "AbortError" || error.name === "TimeoutError" || error.code === "ABORT_ERR") {
    return `No response from ${where} within ${Math.round(timeoutMs / 100) / 10} s.`;
  }
  switch (error.code) {
    case "ECONNREFUSED":
      return `${where} refused the connection.`;
    case "ECONNRESET":
      return `${where} closed the connection before answering.`;
    case "EHOSTUNREACH":
    case "ENETUNREACH":
      return `${where} cannot be reached from our network.`;
    case "ETIMEDOUT":
      return `Connecting to ${where} timed out.`;
    default:
      if (error.code?.startsWith("ERR_TLS") || /certificate|self.signed|TLS|SSL/i.test(error.message)) {
        return `The TLS certificate of ${url.host} was not accepted: ${error.message}`;
      }
      return `Sending to ${where} failed: ${error.message}`;
  }
}
