/** The largest route import file accepted (CSV); checked while the body streams in. */
export const MAX_IMPORT_BYTES = 20 * 1024 * 1024;

/**
 * How much of a request body the console's HTTP server (scripts/serve.ts) lets through to Next.js.
 * Server actions and every other request carry small bodies (a form's fields); only the route
 * import takes files, and its handler also counts the bytes while they stream in
 * (lib/http/read-body.ts). A body is refused from its declared length before a byte of it is
 * read — a body cannot be longer than its Content-Length — and a body without one (chunked) only
 * where the handler counts as it reads.
 */

/** Also next.config.mjs's `experimental.serverActions.bodySizeLimit` (a unit test keeps them equal). */
export const MAX_REQUEST_BODY_BYTES = 256 * 1024;

/** A whole routing configuration for the Automation API's plan and apply: as large as an import file. */
export const MAX_CONFIGURATION_BYTES = MAX_IMPORT_BYTES;
const configurationTooLarge = `The configuration is larger than ${MAX_CONFIGURATION_BYTES / 1024 / 1024} MB; nothing was changed.`;

/** Routes whose handlers read a larger body themselves, stopping at the same limit. */
const FILE_ROUTES: Record<string, { maxBytes: number; tooLarge: string }> = {
  "/api/routes/import": {
    maxBytes: MAX_IMPORT_BYTES,
    tooLarge: `The file is larger than ${MAX_IMPORT_BYTES / 1024 / 1024} MB; split it into several imports. Nothing was imported.`,
  },
  "/api/v1/configuration/plan": { maxBytes: MAX_CONFIGURATION_BYTES, tooLarge: configurationTooLarge },
  "/api/v1/configuration/apply": { maxBytes: MAX_CONFIGURATION_BYTES, tooLarge: configurationTooLarge },
};

export function bodyTooLargeMessage(path: string): string {
  return (
    FILE_ROUTES[path]?.tooLarge ??
    `The request is larger than ${MAX_REQUEST_BODY_BYTES / 1024} KB, more than any form of the console sends; nothing was saved.`
  );
}

export interface BodyRefusal {
  status: 411 | 413;
  message: string;
}

export function checkRequestBody(path: string, headers: Record<string, string | string[] | undefined>): BodyRefusal | null {
  const fileRoute = FILE_ROUTES[path];
  const length = headers["content-length"];
  if (typeof length === "string" && length !== "") {
    return Number(length) > (fileRoute?.maxBytes ?? MAX_REQUEST_BODY_BYTES) ? { status: 413, message: bodyTooLargeMessage(path) } : null;
  }
  if (headers["transfer-encoding"] !== undefined && !fileRoute) {
    return { status: 411, message: "Send the request with a Content-Length header; nothing was saved." };
  }
  return null;
}
