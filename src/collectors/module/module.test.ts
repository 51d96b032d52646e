import { createHash } from "node:crypto";
import { release } from "node:os";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createFixtureRoot, type FixtureRoot } from "../_testdata/fixture-root.js";
import { collectAll, createTestContext, runConformance } from "../conformance.js";
import { createHostView } from "../host-view.js";
import { moduleCollector } from "./module.js";
import { moduleNameOf } from "./module-files.js";

const MODULES = `snd_hda_intel 57344 2 - Live 0xffffffffc0a1e000
dummy 16384 0 - Live 0xffffffffc0a10000
rootkit 16384 0 - Live 0xffffffffc0a00000 (OE)
`;
const KO = "\x7fELF fake module bytes";

let fixture: FixtureRoot | undefined;
let walked: FixtureRoot | undefined;
const dir = `/lib/modules/${release()}`;
beforeAll(async () => {
  const f = await createFixtureRoot("module");
  fixture = f;
  await f.file("/proc/modules", MODULES);
  await f.file(`${dir}/modules.dep`, "kernel/sound/pci/hda/snd-hda-intel.ko.xz: kernel/sound/core.ko.xz\nkernel/drivers/net/dummy.ko:\n");
  await f.file(`${dir}/kernel/sound/pci/hda/snd-hda-intel.ko.xz`, KO);
  await f.file(`${dir}/kernel/drivers/net/dummy.ko`, "dummy");
  // A tree without modules.dep is walked instead.
  const w = await createFixtureRoot("module-walk");
  walked = w;
  await w.file("/proc/modules", MODULES);
  await w.file(`${dir}/kernel/drivers/net/dummy.ko.zst`, "dummy");
});
afterAll(async () => {
  await fixture?.remove();
  await walked?.remove();
});

runConformance(moduleCollector, (fields) => createTestContext(createHostView("/"), fields), { label: "live" });
runConformance(moduleCollector, (fields) => createTestContext(createHostView(fixture?.root ?? "/"), fields), { minRecords: 3, label: "fixture root" });

describe("moduleCollector", () => {
  it("moduleCollector finds each loaded module's file and hashes it only when asked", async () => {
    const host = createHostView(fixture?.root ?? "/");
    const plain = await collectAll(moduleCollector, createTestContext(host), undefined);
    expect(plain.map((r) => r.fields)).toEqual([
      { Module: "snd_hda_intel", Filename: `${dir}/kernel/sound/pci/hda/snd-hda-intel.ko.xz` },
      { Module: "dummy", Filename: `${dir}/kernel/drivers/net/dummy.ko` },
      { Module: "rootkit" },
    ]);
    const context = createTestContext(host, ["Sha256sum", "Md5sum"]);
    const hashed = await collectAll(moduleCollector, context, undefined);
    expect(hashed[0]?.fields).toEqual({
      Module: "snd_hda_intel",
      Filename: `${dir}/kernel/sound/pci/hda/snd-hda-intel.ko.xz`,
      Md5sum: createHash("md5").update(KO).digest("hex"),
      Sha256sum: createHash("sha256").update(KO).digest("hex"),
    });
    expect(context.counts.get("modulesHashed")).toBe(2);
  });

  it("moduleCollector walks the module tree when modules.dep is missing", async () => {
    const records = await collectAll(moduleCollector, createTestContext(createHostView(walked?.root ?? "/")), undefined);
    expect(records[1]?.fields).toEqual({ Module: "dummy", Filename: `${dir}/kernel/drivers/net/dummy.ko.zst` });
  });

  it("moduleNameOf maps file names to module names", () => {
    expect(moduleNameOf("/a/snd-hda-intel.ko.zst")).toBe("snd_hda_intel");
    expect(moduleNameOf("/a/modules.dep")).toBeUndefined();
  });
});
