/**
 * The records to publish as a BIND zone file (RFC 1035 master file syntax), for DNS hosts that
 * import one and for whoever edits zone files by hand. Client-safe and pure: the domain page builds
 * the download in the browser from the view it already has.
 *
 * A master file must start with the zone's SOA and NS records to load (named-checkzone refuses it
 * otherwise). The NS records are the nameservers the last check found; the SOA is a placeholder
 * that import tools (Cloudflare, Route 53…) ignore, and the comments say to keep the host's own.
 */

import type { DomainView, RecordView } from "./types";

/** A character-string holds at most 255 bytes (RFC 1035 §3.3): longer TXT values become several. */
const MAX_STRING = 255;

function quoteTxt(value: string): string {
  const encoder = new TextEncoder();
  const chunks: string[] = [];
  let chunk = "";
  let size = 0;
  for (const char of value) {
    const length = encoder.encode(char).length;
    if (size + length > MAX_STRING) {
      chunks.push(chunk);
      chunk = "";
      size = 0;
    }
    chunk += char;
    size += length;
  }
  chunks.push(chunk);
  return chunks.map((part) => `"${part.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`).join(" ");
}

/** The owner name relative to the origin: `@` for the apex. */
function owner(name: string, origin: string): string {
  if (name === origin) return "@";
  return name.endsWith(`.${origin}`) ? name.slice(0, -(origin.length + 1)) : `${name}.`;
}

const absolute = (host: string) => (host.endsWith(".") ? host : `${host}.`);

function rdata(record: RecordView): string {
  return record.type === "MX" ? `${record.preference ?? 10} ${absolute(record.value)}` : quoteTxt(record.value);
}

const KIND_NOTES: Record<RecordView["kind"], string> = {
  ownership: "proves you own the domain",
  mx: "delivers the domain's mail to us",
  spf: "lets us send replies (merge into an existing SPF record instead of adding a second)",
  dkim: "signs the replies we send",
  dmarc: "recommended",
};

export function zoneFileName(view: Pick<DomainView, "name">): string {
  return `${view.name}.zone`;
}

/**
 * The zone file text. `serial` defaults to today's date (YYYYMMDD01), the usual convention.
 */
export function buildZoneFile(view: Pick<DomainView, "name" | "zone" | "nameservers" | "records">, serial = defaultSerial()): string {
  const origin = view.zone.replace(/\.$/, "").toLowerCase();
  const nameservers = view.nameservers.length > 0 ? view.nameservers : [`ns1.${origin}`];
  const ttl = view.records[0]?.ttl ?? 300;
  const rows: string[][] = view.records.map((record) => [owner(record.name, origin), String(record.ttl), "IN", record.type, rdata(record), `; ${KIND_NOTES[record.kind]}`]);
  const width = (column: number) => Math.max(...rows.map((row) => row[column]!.length), 1);
  const widths = [width(0), width(1), 2, 5];
  const lines = [
    `; DNS records for ${view.name}, to add to the zone ${origin}.`,
    `; The SOA and NS records below only make this file loadable on its own (named-checkzone):`,
    `; keep your DNS host's own SOA and NS records. Most import tools skip them.`,
    `$ORIGIN ${origin}.`,
    `$TTL ${ttl}`,
    `@ ${ttl} IN SOA ${absolute(nameservers[0]!)} hostmaster.${origin}. ( ${serial} 3600 600 1209600 300 )`,
    ...nameservers.map((ns) => `@ ${ttl} IN NS ${absolute(ns)}`),
    "",
    ...rows.map((row) => row.map((cell, index) => (index < widths.length ? cell.padEnd(widths[index]!) : cell)).join(" ")),
    "",
  ];
  return lines.join("\n");
}

function defaultSerial(now = new Date()): number {
  const day = now.toISOString().slice(0, 10).replace(/-/g, "");
  return Number(`${day}01`);
}

/** Tab-separated rows (name, type, value, TTL) with a header: what "Copy all" puts on the clipboard, pasted cleanly into a spreadsheet or a ticket. */
export function recordsAsText(view: Pick<DomainView, "records">): string {
  const lines = [["Name", "Type", "Value", "TTL"].join("\t")];
  for (const record of view.records) {
    const value = record.type === "MX" ? `${record.preference ?? 10} ${record.value}` : record.value;
    lines.push([record.name, record.type, value, String(record.ttl)].join("\t"));
  }
  return `${lines.join("\n")}\n`;
}
