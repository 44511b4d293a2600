/**
 * mailauth's notes quote the resolver's errors as Node writes them; an administrator reads what they
 * mean. Pure and browser-safe (the message page and the DKIM self-test use it).
 */

/** What Node's resolver error codes mean. */
const DNS_ERRORS: Record<string, string> = {
  ECONNREFUSED: "the DNS server could not be reached",
  ETIMEOUT: "the DNS server did not answer in time",
  ESERVFAIL: "the DNS server failed to answer (SERVFAIL)",
  EREFUSED: "the DNS server refused the query",
  ENOTFOUND: "the name does not exist",
  ENODATA: "the name has no record of that type",
  EBADRESP: "the DNS answer was malformed",
  EBADNAME: "the name is not a valid DNS name",
};

/**
 * "queryTxt ECONNREFUSED shop.example" → "TXT lookup of shop.example: the DNS server could not be
 * reached"; "DNS failure: ETIMEOUT" → "DNS failure: the DNS server did not answer in time". Other
 * text, and codes it does not know, stay as they are.
 */
export function plainVerifierNote(note: string): string {
  return note
    .replace(/\bquery([A-Za-z]+) (E[A-Z]+) (\S+)/g, (whole, type: string, code: string, name: string) => {
      const meaning = DNS_ERRORS[code];
      return meaning ? `${type.toUpperCase()} lookup of ${name}: ${meaning}` : whole;
    })
    .replace(/\bDNS failure: (E[A-Z]+)\b/g, (whole, code: string) => {
      const meaning = DNS_ERRORS[code];
      return meaning ? `DNS failure: ${meaning}` : whole;
    });
}
