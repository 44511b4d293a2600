import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { formatServerAddress, parseServerList, readSystemResolvers } from "./servers";

describe("parseServerList", () => {
  it("parses IPv4, ports and bracketed IPv6 with port 53 as default", () => {
    expect(parseServerList("1.1.1.1, 127.0.0.1:5300, [::1]:53, [2001:db8::1]")).toEqual({
      ok: true,
      value: [
        { host: "1.1.1.1", port: 53 },
        { host: "127.0.0.1", port: 5300 },
        { host: "::1", port: 53 },
        { host: "2001:db8::1", port: 53 },
      ],
    });
  });

  it("accepts a bare IPv6 address and a trailing comma", () => {
    expect(parseServerList("::1,")).toEqual({ ok: true, value: [{ host: "::1", port: 53 }] });
  });

  it("reports every bad entry with a clear reason", () => {
    const result = parseServerList("dns.google, 1.2.3.4:99999, [::1, 10.0.0.1:x, ,8.8.8.8");
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors).toEqual([
      expect.stringContaining('"dns.google" is not an IP address'),
      expect.stringContaining("port 99999 is outside 1-65535"),
      expect.stringContaining('missing "]"'),
      expect.stringContaining('port "x" is not a number'),
      "entry 5 is empty",
    ]);
  });

  it("rejects an empty setting", () => {
    expect(parseServerList("  ")).toEqual({ ok: false, errors: ["no DNS server given"] });
  });

  it("formats addresses back the way they are written", () => {
    expect(formatServerAddress({ host: "::1", port: 53 })).toBe("[::1]:53");
    expect(formatServerAddress({ host: "127.0.0.1", port: 5300 })).toBe("127.0.0.1:5300");
  });
});

describe("readSystemResolvers", () => {
  it("reads nameserver lines from a resolv.conf-format file", async () => {
    const dir = await mkdtemp(join(tmpdir(), "dns-resolv-"));
    try {
      const path = join(dir, "resolv.conf");
      await writeFile(
        path,
        ["# generated", "search acme.com", "nameserver 127.0.0.53", "nameserver   ::1 # local", "; nameserver 10.9.9.9", "nameserver not-an-ip", "nameserver 127.0.0.53", "options edns0"].join("\n"),
      );
      expect(await readSystemResolvers(path)).toEqual([
        { host: "127.0.0.53", port: 53 },
        { host: "::1", port: 53 },
      ]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("rejects when the file cannot be read", async () => {
    await expect(readSystemResolvers(join(tmpdir(), "no-such-dir-dns", "resolv.conf"))).rejects.toThrow(/ENOENT/);
  });
});
