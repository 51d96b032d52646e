import { execFileSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const NOBODY = 65534;
const asRoot = process.getuid?.() === 0;
const child = fileURLToPath(new URL("./_test-walk-child.ts", import.meta.url));
const repo = fileURLToPath(new URL("../../..", import.meta.url));

// Real denial needs a real unprivileged process: root reads everything, and fs is never mocked.
describe.skipIf(!asRoot)("fileCollector as an unprivileged user", () => {
  it("fileCollector warns permission-denied for an unreadable folder and file, and collects the rest", () => {
    const root = mkdtempSync(join(tmpdir(), "iocscan-perm-"));
    try {
      chmodSync(root, 0o755);
      mkdirSync(join(root, "secret"), { mode: 0o700 });
      writeFileSync(join(root, "secret/inside.txt"), "hidden");
      writeFileSync(join(root, "locked.txt"), "no read", { mode: 0o600 });
      writeFileSync(join(root, "open.txt"), "readable", { mode: 0o644 });
      const out = execFileSync(process.execPath, ["--import", "tsx", child, root], { cwd: repo, uid: NOBODY, gid: NOBODY, encoding: "utf8" });
      const result = JSON.parse(out) as { ids: string[]; warnings: { code: string; path: string }[]; counts: Record<string, number> };
      // locked.txt is still listed (its name and size are readable); only its digest is missing.
      expect(result.ids).toEqual([join(root, "locked.txt"), join(root, "open.txt")]);
      expect(result.warnings.map((w) => [w.code, w.path]).sort()).toEqual([
        ["permission-denied", join(root, "locked.txt")],
        ["permission-denied", join(root, "secret")],
      ]);
      expect(result.counts).toMatchObject({ filesHashed: 1, warnings: 2 });
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
