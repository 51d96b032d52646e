import { readFile } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createFixtureRoot, type FixtureRoot } from "../_testdata/fixture-root.js";
import { createHostView } from "../host-view.js";
import { diskPathOf, resolveHostPath } from "./image-path.js";

let fixture: FixtureRoot | undefined;
const image = (): ReturnType<typeof createHostView> => createHostView(fixture?.root ?? "/nonexistent");
beforeAll(async () => {
  const f = await createFixtureRoot("image-path");
  fixture = f;
  await f.file("/usr/lib/os-release", 'PRETTY_NAME="Image OS"\n');
  await f.file("/etc/hostname", "image-host\n");
  // Absolute links, as a merged-/usr image has them: they must stay inside the image.
  await f.link("/etc/os-release", "/usr/lib/os-release");
  await f.link("/lib", "/usr/lib");
  await f.link("/usr/lib/unit-link", "os-release");
  await f.link("/etc/climb", "../../../../../etc/hostname");
  await f.link("/loop-a", "/loop-b");
  await f.link("/loop-b", "/loop-a");
});
afterAll(async () => fixture?.remove());

describe("resolveHostPath", () => {
  it("resolveHostPath follows absolute and relative links inside the image", async () => {
    expect(await resolveHostPath(image(), "/etc/os-release")).toBe("/usr/lib/os-release");
    expect(await resolveHostPath(image(), "/lib/os-release")).toBe("/usr/lib/os-release");
    expect(await resolveHostPath(image(), "/etc/climb")).toBe("/etc/hostname");
    expect(await readFile(await diskPathOf(image(), "/etc/os-release"), "utf8")).toContain("Image OS");
  });

  it("resolveHostPath keeps the last component when asked, so a link itself can be inspected", async () => {
    expect(await resolveHostPath(image(), "/lib/unit-link", { keepLast: true })).toBe("/usr/lib/unit-link");
    expect(await resolveHostPath(image(), "/lib/missing/deeper")).toBe("/usr/lib/missing/deeper");
  });

  it("resolveHostPath stops on a link loop and leaves live paths alone", async () => {
    await expect(resolveHostPath(image(), "/loop-a/x")).rejects.toMatchObject({ code: "ELOOP" });
    expect(await resolveHostPath(createHostView("/"), "/etc/os-release")).toBe("/etc/os-release");
  });
});
