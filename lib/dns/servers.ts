import { readFile } from "node:fs/promises";
import { isIP } from "node:net";

/** Where a DNS query is sent. `host` is always an IP literal (IPv6 without brackets). */
export interface ServerAddress {
  host: string;
  port: number;
}

export type ParseResult<T> = { ok: true; value: T } | { ok: false; errors: string[] };

/** `127.0.0.1:5300`, `[::1]:53`: the form used in logs, messages and report labels. */
export function formatServerAddress(server: ServerAddress): string {
  return isIP(server.host) === 6 ? `[${server.host}]:${server.port}` : `${server.host}:${server.port}`;
}

function parsePort(text: string, entry: string): number | string {
  if (!/^\d{1,5}$/.test(text)) return `"${entry}": port "${text}" is not a number`;
  const port = Number(text);
  if (port < 1 || port > 65535) return `"${entry}": port ${port} is outside 1-65535`;
  return port;
}

function parseEntry(entry: string): ServerAddress | string {
  if (entry.startsWith("[")) {
    const close = entry.indexOf("]");
    if (close < 0) return `"${entry}": missing "]" after the IPv6 address`;
    const host = entry.slice(1, close);
    if (isIP(host) !== 6) return `"${entry}": "${host}" is not an IPv6 address`;
    const rest = entry.slice(close + 1);
    if (rest === "") return { host, port: 53 };
    if (!rest.startsWith(":")) return `"${entry}": expected ":port" after "]"`;
    const port = parsePort(rest.slice(1), entry);
    return typeof port === "string" ? port : { host, port };
  }
  // A bare IPv6 literal is unambiguous without a port; with a port it needs brackets.
  if (isIP(entry) === 6) return { host: entry, port: 53 };
  const colons = entry.split(":").length - 1;
  if (colons > 1) return `"${entry}": put IPv6 addresses in brackets, e.g. [${entry}]:53`;
  const [host = "", portText] = entry.split(":");
  if (isIP(host) !== 4) {
    return `"${entry}": "${host}" is not an IP address (DNS servers must be given by address, not by name)`;
  }
  if (portText === undefined) return { host, port: 53 };
  const port = parsePort(portText, entry);
  return typeof port === "string" ? port : { host, port };
}

/**
 * Parses a `DNS_RESOLVERS`-style list: comma-separated `host[:port]`, IPv6 in brackets
 * (`1.1.1.1, 127.0.0.1:5300, [::1]:53`). Port defaults to 53. Every bad entry is reported.
 */
export function parseServerList(text: string): ParseResult<ServerAddress[]> {
  const errors: string[] = [];
  const servers: ServerAddress[] = [];
  const entries = text.split(",").map((e) => e.trim());
  entries.forEach((entry, index) => {
    if (entry === "") {
      // Tolerate a trailing comma, not a hole in the middle of the list.
      if (index !== entries.length - 1 || entries.length === 1) {
        if (entries.length > 1) errors.push(`entry ${index + 1} is empty`);
      }
      return;
    }
    const parsed = parseEntry(entry);
    if (typeof parsed === "string") errors.push(parsed);
    else servers.push(parsed);
  });
  if (errors.length > 0) return { ok: false, errors };
  if (servers.length === 0) return { ok: false, errors: ["no DNS server given"] };
  return { ok: true, value: servers };
}

/**
 * Reads `nameserver` lines of a resolv.conf-format file (port 53 each). Comments and
 * unusable lines are skipped. Rejects only when the file cannot be read.
 */
export async function readSystemResolvers(path = "/etc/resolv.conf"): Promise<ServerAddress[]> {
  const text = await readFile(/* turbopackIgnore: true */ path, "utf8");
  return parseResolvConf(text);
}

export function parseResolvConf(text: string): ServerAddress[] {
  const servers: ServerAddress[] = [];
  for (const rawLine of text.split(/\r?\n/)) {
    const line = rawLine.replace(/[#;].*$/, "").trim();
    const match = /^nameserver\s+(\S+)/.exec(line);
    if (!match?.[1]) continue;
    const host = match[1];
    if (isIP(host) !== 0 && !servers.some((s) => s.host === host)) servers.push({ host, port: 53 });
  }
  return servers;
}
