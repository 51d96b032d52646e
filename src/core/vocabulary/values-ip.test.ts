import { describe, expect, it } from "vitest";
import { parseCidr, parseIp } from "./values-ip.js";

function text(input: string): string {
  const r = parseIp(input);
  if (!r.ok) throw new Error(`${input}: ${r.reason}`);
  return r.ip.text;
}

describe("parseIp", () => {
  it("reads IPv4", () => {
    expect(parseIp("192.168.1.10")).toEqual({ ok: true, ip: { family: 4, value: 0xc0a8010an, text: "192.168.1.10" } });
    expect(text("0.0.0.0")).toBe("0.0.0.0");
    expect(text("255.255.255.255")).toBe("255.255.255.255");
    expect(text("001.002.003.004")).toBe("1.2.3.4");
  });

  it("writes IPv6 in RFC 5952 form", () => {
    expect(text("2001:0DB8:0000:0000:0000:0000:0000:0001")).toBe("2001:db8::1");
    expect(text("2001:db8:0:0:1:0:0:1")).toBe("2001:db8::1:0:0:1"); // first of equal runs
    expect(text("2001:db8:0:1:1:1:1:1")).toBe("2001:db8:0:1:1:1:1:1"); // one zero group stays
    expect(text("::")).toBe("::");
    expect(text("::1")).toBe("::1");
    expect(text("fe80::")).toBe("fe80::");
    expect(text("1:0:0:2:0:0:0:3")).toBe("1:0:0:2::3"); // the longest run
    expect(text("::ffff:0:1.2.3.4")).toBe("::ffff:0:102:304");
  });

  it("reads IPv4-mapped IPv6 addresses as IPv4", () => {
    expect(parseIp("::ffff:10.0.0.1")).toEqual({ ok: true, ip: { family: 4, value: 0x0a000001n, text: "10.0.0.1" } });
    expect(text("::FFFF:0a00:0001")).toBe("10.0.0.1");
    expect(text("0:0:0:0:0:ffff:192.168.0.1")).toBe("192.168.0.1");
  });

  it.each([
    ["", /empty/],
    ["1.2.3", /dotted-quad/],
    ["1.2.3.256", /greater than 255/],
    ["1.2.3.-4", /dotted-quad/],
    ["1:2:3:4:5:6:7", /8 groups, got 7/],
    ["1:2:3:4:5:6:7:8:9", /8 groups, got 9/],
    ["1:2:3:4:5:6:7:8::", /8 groups, got 8 plus "::"/],
    ["1::2::3", /only once/],
    ["12345::1", /1-4 hex digits/],
    ["1:2:3:4:5:6:7:", /empty group/],
    ["1.2.3.4::1", /may only end/],
    ["fe80::1%eth0", /zone/],
    ["g::1", /1-4 hex digits/],
  ])("refuses %j", (input, cause) => {
    const r = parseIp(input);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(cause);
  });
});

describe("parseCidr", () => {
  it("gives the first and last address of a block", () => {
    const r = parseCidr("10.1.2.3/8");
    expect(r).toMatchObject({ ok: true, low: { text: "10.0.0.0" }, high: { text: "10.255.255.255" } });
    expect(parseCidr("10.1.2.3/32")).toMatchObject({ ok: true, low: { text: "10.1.2.3" }, high: { text: "10.1.2.3" } });
    expect(parseCidr("0.0.0.0/0")).toMatchObject({ ok: true, low: { text: "0.0.0.0" }, high: { text: "255.255.255.255" } });
    expect(parseCidr("fe80::1/64")).toMatchObject({ ok: true, low: { text: "fe80::" }, high: { text: "fe80::ffff:ffff:ffff:ffff" } });
  });

  it("is undefined without a slash and fails on bad prefixes", () => {
    expect(parseCidr("10.0.0.1")).toBeUndefined();
    expect(parseCidr("10.0.0.1/x")).toMatchObject({ ok: false });
    expect(parseCidr("::1/129")).toMatchObject({ ok: false });
    expect(parseCidr("10.0.0/8")).toMatchObject({ ok: false });
  });
});
