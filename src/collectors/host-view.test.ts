import { describe, expect, it } from "vitest";
import { createHostView } from "./host-view.js";

describe("createHostView", () => {
  it("createHostView maps host paths under --root and back, never above it", () => {
    const view = createHostView("/mnt/image/");
    expect(view.live).toBe(false);
    expect(view.toDisk("/etc/passwd")).toBe("/mnt/image/etc/passwd");
    expect(view.toDisk("/../../etc/shadow")).toBe("/mnt/image/etc/shadow");
    expect(view.toHost("/mnt/image/usr/bin/ls")).toBe("/usr/bin/ls");
    expect(view.toHost("/mnt/image")).toBe("/");
  });

  it("createHostView of / is the live host with paths unchanged", () => {
    const view = createHostView();
    expect(view.live).toBe(true);
    expect(view.toDisk("/proc/1/exe")).toBe("/proc/1/exe");
    expect(view.toHost("/tmp/x")).toBe("/tmp/x");
  });
});
