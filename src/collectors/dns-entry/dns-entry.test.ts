import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createFixtureRoot, type FixtureRoot } from "../_testdata/fixture-root.js";
import { collectAll, createTestContext, runConformance } from "../conformance.js";
import { createHostView } from "../host-view.js";
import { dnsEntryCollector } from "./dns-entry.js";

const HOSTS = `127.0.0.1\tlocalhost
::1     localhost ip6-localhost ip6-loopback   # IPv6
# 10.0.0.1 commented.example
203.0.113.5 update.evil.example  cdn.evil.example
not-an-address somename
`;

let fixture: FixtureRoot | undefined;
const host = (): ReturnType<typeof createHostView> => createHostView(fixture?.root ?? "/nonexistent");
beforeAll(async () => {
  fixture = await createFixtureRoot("dns");
  await fixture.file("/etc/hosts", HOSTS);
});
afterAll(async () => fixture?.remove());

runConformance(dnsEntryCollector, (fields) => createTestContext(createHostView("/"), fields), { label: "live" });
runConformance(dnsEntryCollector, (fields) => createTestContext(host(), fields), { minRecords: 6, label: "fixture root" });

describe("dnsEntryCollector", () => {
  it("dnsEntryCollector yields one record per host name with its IPv4 address", async () => {
    const records = await collectAll(dnsEntryCollector, createTestContext(host()), undefined);
    expect(records.map((r) => r.id)).toEqual([
      "localhost 127.0.0.1",
      "localhost",
      "ip6-localhost",
      "ip6-loopback",
      "update.evil.example 203.0.113.5",
      "cdn.evil.example 203.0.113.5",
    ]);
    expect(records[4]?.fields).toEqual({ Host: "update.evil.example", RecordName: "update.evil.example", "RecordData/IPv4Address": "203.0.113.5" });
  });
});
