import { describe, expect, it } from "vitest";
import { classifyAddress, describeAddress, nameserverAddressRefusal } from "./addresses";

describe("classifyAddress", () => {
  it.each([
    ["127.0.0.1", "loopback"],
    ["127.200.3.4", "loopback"],
    ["::1", "loopback"],
    ["10.1.2.3", "private"],
    ["172.16.0.1", "private"],
    ["172.31.255.255", "private"],
    ["192.168.1.10", "private"],
    ["100.64.0.1", "private"],
    ["fd12:3456::1", "private"],
    ["169.254.169.254", "link-local"],
    ["fe80::1%eth0", "link-local"],
    ["0.0.0.0", "reserved"],
    ["::", "reserved"],
    ["224.0.0.1", "reserved"],
    ["ff02::1", "reserved"],
    ["255.255.255.255", "reserved"],
    ["::ffff:127.0.0.1", "loopback"],
    ["::ffff:7f00:1", "loopback"],
    ["::ffff:169.254.169.254", "link-local"],
    ["64:ff9b::10.0.0.1", "private"],
    ["2002:a00:1::", "private"],
    ["2001:db8::1", "reserved"],
    ["93.184.216.34", "public"],
    ["172.32.0.1", "public"],
    ["2606:4700::1111", "public"],
  ])("classifies %s as %s", (address, expected) => {
    expect(classifyAddress(address)).toBe(expected);
  });

  it("names the block an address falls in, and nothing for names", () => {
    expect(describeAddress("100.64.3.4")).toEqual({ addressClass: "private", block: "100.64.0.0/10 (carrier-grade NAT)" });
    expect(describeAddress("fd00::53")).toEqual({ addressClass: "private", block: "fc00::/7 (unique local)" });
    expect(describeAddress("8.8.8.8")).toEqual({ addressClass: "public", block: null });
    expect(classifyAddress("ns1.example.net")).toBeNull();
  });
});

describe("nameserverAddressRefusal", () => {
  const strict = { allowPrivate: false };
  const onPremises = { allowPrivate: true };

  it("queries public unicast addresses only, by default", () => {
    expect(nameserverAddressRefusal("93.184.216.34", strict)).toBeNull();
    expect(nameserverAddressRefusal("2606:4700::1111", strict)).toBeNull();
    for (const address of ["127.0.0.1", "::1", "10.0.0.5", "172.20.1.1", "192.168.0.53", "100.64.0.1", "fd00::53", "169.254.169.254", "fe80::1", "224.0.0.251", "ff02::fb", "0.0.0.0", "::", "192.0.2.1"]) {
      expect(nameserverAddressRefusal(address, strict), address).not.toBeNull();
    }
    expect(nameserverAddressRefusal("10.0.0.5", strict)).toEqual({ address: "10.0.0.5", addressClass: "private", reason: "10.0.0.5 is a private network address" });
    expect(nameserverAddressRefusal("ns1.example.net", strict)).toMatchObject({ addressClass: "invalid" });
  });

  it("allows loopback and private networks for on-premises DNS, never link-local, multicast or unspecified", () => {
    for (const address of ["127.0.0.2", "::1", "10.0.0.5", "100.64.0.1", "fd00::53"]) {
      expect(nameserverAddressRefusal(address, onPremises), address).toBeNull();
    }
    for (const address of ["169.254.169.254", "fe80::1", "224.0.0.251", "ff02::fb", "0.0.0.0", "::"]) {
      expect(nameserverAddressRefusal(address, onPremises), address).not.toBeNull();
    }
  });
});
