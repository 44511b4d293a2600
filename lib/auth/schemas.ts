/** One spelling of an email address for sign-in and accounts: what users type is matched case-blind. */
export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}
