import { describe, expect, it } from "vitest";
import { addressBytes, ipv6MaskText, ipv6Text, procAddressText } from "./ip-text.js";

describe("ip-text", () => {
  it("procAddressText reads /proc/net words in host (little-endian) order", () => {
    expect(procAddressText("0100007F", true)).toBe("127.0.0.1");
    expect(procAddressText("00000000000000000000000001000000", true)).toBe("::1");
    expect(procAddressText("0000000000000000FFFF0000650A000A", true)).toBe("::ffff:10.0.10.101");
    expect(procAddressText("fd000000000000000000000000000001", false)).toBe("fd00::1");
    expect(procAddressText("7F00001", true)).toBeUndefined();
    expect(addressBytes("zz00007F", true)).toBeUndefined();
  });

  it("ipv6Text compresses the longest zero run only, the first on a tie, never a single group", () => {
    const groups = (...g: number[]): number[] => g.flatMap((x) => [x >> 8, x & 0xff]);
    expect(ipv6Text(groups(0, 0, 0, 0, 0, 0, 0, 0))).toBe("::");
    expect(ipv6Text(groups(0x2001, 0xdb8, 0, 1, 0, 0, 0, 1))).toBe("2001:db8:0:1::1");
    expect(ipv6Text(groups(0x2001, 0xdb8, 0, 0, 1, 0, 0, 1))).toBe("2001:db8::1:0:0:1");
    expect(ipv6Text(groups(1, 0, 2, 0, 3, 0, 4, 0))).toBe("1:0:2:0:3:0:4:0");
    expect(ipv6Text(groups(0xfe80, 0, 0, 0, 0xfc, 0xff, 0xfe00, 1))).toBe("fe80::fc:ff:fe00:1");
  });

  it("ipv6MaskText turns a prefix length into a mask", () => {
    expect(ipv6MaskText(64)).toBe("ffff:ffff:ffff:ffff::");
    expect(ipv6MaskText(0)).toBe("::");
    expect(ipv6MaskText(128)).toBe("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
    expect(ipv6MaskText(8)).toBe("ff00::");
  });
});
