/**
 * A request path whose percent escapes do not decode (`/domains/%ZZ`, `/domains/%FF`) makes Next.js
 * fail to match it against a dynamic route, and it answers a bare 500. scripts/serve.ts rewrites
 * such a segment so that its percent signs are taken literally (`%25ZZ`), as a browser's URL parser
 * takes them: the page then receives the text as typed and answers 404 for a name that does not
 * exist. Paths that decode are left exactly as they came.
 */
export function escapeMalformedPercents(url: string): string {
  const queryAt = url.indexOf("?");
  const path = queryAt === -1 ? url : url.slice(0, queryAt);
  if (!path.includes("%")) return url;
  const segments = path.split("/").map((segment) => {
    try {
      decodeURIComponent(segment);
      return segment;
    } catch {
      return segment.replace(/%/g, "%25");
    }
  });
  return segments.join("/") + (queryAt === -1 ? "" : url.slice(queryAt));
}
