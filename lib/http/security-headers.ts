/**
 * The browser-facing security headers. scripts/serve.ts puts the baseline on every response;
 * proxy.ts replaces the Content-Security-Policy of pages with one carrying a fresh nonce, which
 * Next.js reads back from the request's header and puts on every script it renders.
 */

/** For responses that are not pages (API, assets): nothing may run, and nobody may frame them. */
export const FALLBACK_CONTENT_SECURITY_POLICY = "default-src 'none'; frame-ancestors 'none'";

export function baselineSecurityHeaders(options: { https: boolean }): [string, string][] {
  const headers: [string, string][] = [
    ["Content-Security-Policy", FALLBACK_CONTENT_SECURITY_POLICY],
    ["X-Content-Type-Options", "nosniff"],
    ["Referrer-Policy", "same-origin"],
    // For browsers older than frame-ancestors.
    ["X-Frame-Options", "DENY"],
  ];
  // Only a console reached over https can promise to stay there; on plain http browsers ignore it.
  if (options.https) headers.push(["Strict-Transport-Security", "max-age=31536000; includeSubDomains"]);
  return headers;
}

export function createNonce(): string {
  return Buffer.from(crypto.getRandomValues(new Uint8Array(18))).toString("base64");
}

/**
 * The policy for pages. Scripts run only with this response's nonce ('strict-dynamic' lets those
 * load Next's chunks). Styles allow inline: sonner and Radix's scroll lock insert <style> elements
 * without a nonce (a nonce in style-src would switch 'unsafe-inline' off and block them).
 */
export function pageContentSecurityPolicy(nonce: string, options: { development: boolean }): string {
  const scriptSources = ["'self'", `'nonce-${nonce}'`, "'strict-dynamic'"];
  // React's development build reconstructs server stacks with eval; production never uses it.
  if (options.development) scriptSources.push("'unsafe-eval'");
  return [
    "default-src 'self'",
    `script-src ${scriptSources.join(" ")}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; ");
}
