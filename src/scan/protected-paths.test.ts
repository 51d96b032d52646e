import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createHostView } from "../collectors/host-view.js";
import { loadProtectedPaths } from "./protected-paths.js";

const root = mkdtempSync(join(tmpdir(), "iocscan-protected-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("loadProtectedPaths", () => {
  it("loadProtectedPaths protects the loader, libc, init and the host's shells, and extra globs", async () => {
    mkdirSync(join(root, "etc"));
    writeFileSync(join(root, "etc/shells"), "# /etc/shells\n/bin/sh\n/usr/bin/zsh\n");
    const paths = await loadProtectedPaths(createHostView(root), ["/opt/keep/**"]);
    for (const protectedPath of [
      "/lib64/ld-linux-x86-64.so.2",
      "/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2",
      "/lib/x86_64-linux-gnu/libc.so.6",
      "/sbin/init",
      "/usr/lib/systemd/systemd",
      "/bin/sh",
      "/usr/bin/zsh",
      "/opt/keep/a/b",
    ]) {
      expect(paths.isProtected(protectedPath), protectedPath).toBe(true);
    }
    for (const free of ["/tmp/libc.so.6.evil/x", "/usr/bin/bash", "/home/ann/ld-linux", "/tmp/xmrig"]) {
      expect(paths.isProtected(free), free).toBe(false);
    }
  });
});
