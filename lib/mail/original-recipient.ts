import { addressesIn, headerValues } from "./headers";
import { parseReceived } from "./received";
import type { StoredHeader } from "./types";

/**
 * In the "keep copies" scenarios (2 and 4) the customer writes to the organisation's own address
 * (support@acme.com) and their mail server redirects a copy to the registered one
 * (support@help.acme.com), which is the envelope recipient we see. The address the customer wrote
 * to survives in the headers: `X-Original-To` or `Delivered-To` when the redirecting server adds
 * them (Postfix does on local delivery); in the redirecting server's own `Received:` field, the
 * newest, whose `for` clause names the address it received the message for when the message had
 * one recipient there (Postfix, Exim and Exchange write it) — the only place a Bcc'd address shows;
 * and otherwise in `To`/`Cc`, since a redirect — unlike a forward — keeps the message as the
 * customer sent it.
 *
 * The console's redirect rules keep the local part (support@acme.com → support@help.acme.com), so
 * a To/Cc address counts when it has the same local part or is on the original domain the admin
 * named in the wizard. Anything else (the customer wrote to someone else and Bcc'd us) is not
 * claimed. Returns null when the customer wrote to the envelope recipient itself.
 */
export function findOriginalRecipient(
  envelopeRecipient: string,
  fields: readonly StoredHeader[],
  options: { originalDomain?: string | null } = {},
): string | null {
  const envelope = envelopeRecipient.toLowerCase();
  const localPart = envelope.slice(0, envelope.lastIndexOf("@"));
  const originalDomain = options.originalDomain?.toLowerCase() ?? null;
  const other = (address: string) => address.toLowerCase() !== envelope;
  const domainOf = (address: string) => address.slice(address.lastIndexOf("@") + 1).toLowerCase();
  const localOf = (address: string) => address.slice(0, address.lastIndexOf("@")).toLowerCase();

  const onOriginalDomain = (address: string) => originalDomain !== null && domainOf(address) === originalDomain;
  const sameLocal = (address: string) => localOf(address) === localPart;

  const explicit = [...headerValues(fields, "X-Original-To"), ...headerValues(fields, "Delivered-To")].flatMap(addressesIn).filter(other);
  const newestReceived = headerValues(fields, "Received")[0];
  const receivedFor = newestReceived ? addressesIn(parseReceived(newestReceived).for ?? "").filter(other) : [];
  // Only an address the redirect could have come from: the same local part, or the original domain.
  const relayedFor = receivedFor.find((address) => sameLocal(address) || onOriginalDomain(address)) ?? null;
  const visible = [...headerValues(fields, "To"), ...headerValues(fields, "Cc")].flatMap(addressesIn);
  if (visible.some((address) => !other(address)) && explicit.length === 0 && relayedFor === null) return null;
  const listed = visible.filter(other);

  return (
    explicit.find(onOriginalDomain) ??
    explicit[0] ??
    relayedFor ??
    listed.find((address) => onOriginalDomain(address) && sameLocal(address)) ??
    listed.find(sameLocal) ??
    listed.find(onOriginalDomain) ??
    null
  );
}
