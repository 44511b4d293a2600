/** Only same-site paths may be redirect targets; anything else (other hosts, `//x`, `javascript:`) goes home. */
export function safeCallbackPath(value: string | string[] | undefined | null): string {
  const candidate = Array.isArray(value) ? value[0] : value;
  if (!candidate || !candidate.startsWith("/") || candidate.startsWith("//") || candidate.startsWith("/\\")) return "/";
  if (candidate.startsWith("/signin")) return "/";
  return candidate;
}
