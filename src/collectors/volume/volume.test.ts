import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createFixtureRoot, type FixtureRoot } from "../_testdata/fixture-root.js";
import { collectAll, createTestContext, runConformance } from "../conformance.js";
import { createHostView } from "../host-view.js";
import { parseMounts, volumeCollector } from "./volume.js";

const MOUNTS = `/dev/vda / ext4 rw,relatime,discard 0 0
proc /proc proc rw,relatime 0 0
/dev/sdb1 /media/usb\\040stick vfat ro,nosuid,nodev 0 0
/dev/sdc1 /mnt/gone ext4 rw 0 0
`;

let fixture: FixtureRoot | undefined;
const host = (): ReturnType<typeof createHostView> => createHostView(fixture?.root ?? "/nonexistent");
beforeAll(async () => {
  const f = await createFixtureRoot("volume");
  fixture = f;
  await f.file("/proc/self/mounts", MOUNTS);
  await mkdir(join(f.root, "media/usb stick"), { recursive: true });
});
afterAll(async () => fixture?.remove());

runConformance(volumeCollector, (fields) => createTestContext(createHostView("/"), fields), { minRecords: 1, label: "live" });
runConformance(volumeCollector, (fields) => createTestContext(host(), fields), { minRecords: 4, label: "fixture root" });

describe("volumeCollector", () => {
  it("volumeCollector reports the root file system of this computer with its sizes", async () => {
    const records = await collectAll(volumeCollector, createTestContext(createHostView("/"), ["TotalSize", "FreeSize"]), undefined);
    const root = records.find((r) => r.id === "/");
    expect(root?.fields["TotalSize"]).toBeGreaterThan(0);
    expect(root?.fields["FreeSize"]).toBeGreaterThanOrEqual(0);
    expect(root?.fields["Flags/ReadOnly"]).toBe(false);
  });

  it("volumeCollector decodes escaped mount points, the read-only flag, and warns when statfs fails", async () => {
    const context = createTestContext(host(), ["TotalSize"]);
    const records = await collectAll(volumeCollector, context, undefined);
    const usb = records.find((r) => r.id === "/media/usb stick");
    expect(usb?.fields).toMatchObject({ DevicePath: "/dev/sdb1", FileSystemName: "vfat", "Flags/ReadOnly": true });
    expect(typeof usb?.fields["TotalSize"]).toBe("number");
    // The fixture has no /mnt/gone folder to statfs.
    expect(context.warnings.map((w) => [w.code, w.path])).toEqual([["vanished", "/mnt/gone"]]);
  });

  it("parseMounts splits fstab-format lines", () => {
    expect(parseMounts("a /b c d,e 0 0\n")).toEqual([{ device: "a", mountPoint: "/b", fsType: "c", options: ["d", "e"] }]);
  });
});
