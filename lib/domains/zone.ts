/**
 * The zone a domain's records live in, before the first check has found the real zone apex: the
 * registrable domain is a good guess (two labels, three under common
 * second-level suffixes such as co.uk).
 */
const SECOND_LEVEL = new Set([
  "co.uk", "org.uk", "ac.uk", "gov.uk", "me.uk", "com.au", "net.au", "org.au", "co.nz", "org.nz", "co.jp", "ne.jp", "or.jp",
  "com.br", "net.br", "org.br", "co.za", "com.mx", "com.ar", "com.tr", "co.in", "co.il", "com.sg", "com.hk", "com.cn", "co.kr",
]);

export function guessZone(domain: string): string {
  const labels = domain.split(".");
  const lastTwo = labels.slice(-2).join(".");
  return labels.length > 2 && SECOND_LEVEL.has(lastTwo) ? labels.slice(-3).join(".") : lastTwo;
}
