import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { collectAll, createTestContext, runConformance } from "../conformance.js";
import { createHostView } from "../host-view.js";
import { arpEntryCollector } from "./arp-entry.js";

const ARP = `IP address       HW type     Flags       HW address            Mask     Device
192.0.2.1        0x1         0x2         02:FC:00:00:00:05     *        eth0
192.0.2.7        0x1         0x6         02:fc:00:00:00:07     *        eth0
192.0.2.9        0x1         0x0         00:00:00:00:00:00     *        eth1
`;

let root = "";
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "iocscan-arp-"));
  await mkdir(join(root, "proc/net"), { recursive: true });
  await writeFile(join(root, "proc/net/arp"), ARP);
});
afterAll(async () => rm(root, { recursive: true, force: true }));

runConformance(arpEntryCollector, (fields) => createTestContext(createHostView("/"), fields), { label: "live" });
runConformance(arpEntryCollector, (fields) => createTestContext(createHostView(root), fields), { minRecords: 3, label: "fixture root" });

describe("arpEntryCollector", () => {
  it("arpEntryCollector reads address, MAC, interface and cache type of each entry", async () => {
    const records = await collectAll(arpEntryCollector, createTestContext(createHostView(root)), undefined);
    expect(records.map((r) => [r.id, r.fields["PhysicalAddress"], r.fields["CacheType"]])).toEqual([
      ["eth0 192.0.2.1", "02:fc:00:00:00:05", "Dynamic"],
      ["eth0 192.0.2.7", "02:fc:00:00:00:07", "Static"],
      ["eth1 192.0.2.9", "00:00:00:00:00:00", "Invalid"],
    ]);
  });
});
