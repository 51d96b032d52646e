import { describe, expect, it } from "vitest";
import { extensionOf, isoFromNs, pathFields, permissionNumber } from "./fields.js";
import { isPseudoType, parseMounts } from "./mounts.js";

describe("FileItem field formats", () => {
  it("pathFields splits a host path the OpenIOC way", () => {
    expect(pathFields("/usr/bin/ls")).toEqual({ FullPath: "/usr/bin/ls", FilePath: "usr/bin", FileName: "ls" });
    expect(pathFields("/vmlinuz.old")).toEqual({ FullPath: "/vmlinuz.old", FilePath: "", FileName: "vmlinuz.old", FileExtension: "old" });
  });

  it("extensionOf takes the text after the last dot, none for dot files and trailing dots", () => {
    expect([extensionOf("a.tar.gz"), extensionOf(".bashrc"), extensionOf("x."), extensionOf("Makefile"), extensionOf(".config.json")]).toEqual(["gz", undefined, undefined, undefined, "json"]);
  });

  it("permissionNumber writes the mode as stat -c %a does", () => {
    expect([permissionNumber(0o100755), permissionNumber(0o104755), permissionNumber(0o41777), permissionNumber(0o100600), permissionNumber(0o100007)]).toEqual([755, 4755, 1777, 600, 7]);
  });

  it("isoFromNs gives UTC with milliseconds only when they are not zero", () => {
    expect(isoFromNs(1_312_528_209_000_000_000n)).toBe("2011-08-05T07:10:09Z");
    expect(isoFromNs(1_312_528_209_123_999_999n)).toBe("2011-08-05T07:10:09.123Z");
    expect(isoFromNs(-1n)).toBe("1969-12-31T23:59:59.999Z");
  });

  it("parseMounts decodes escaped mount points and isPseudoType knows the kernel's pseudo file systems", () => {
    const mounts = parseMounts("proc /proc proc rw 0 0\n/dev/sdb1 /mnt/my\\040disk ext4 rw 0 0\ncgroup2 /sys/fs/cgroup cgroup2 rw 0 0\n");
    expect([...mounts]).toEqual([["/proc", "proc"], ["/mnt/my disk", "ext4"], ["/sys/fs/cgroup", "cgroup2"]]);
    expect(["proc", "sysfs", "cgroup2", "devtmpfs", "binfmt_misc"].every(isPseudoType)).toBe(true);
    expect(["ext4", "tmpfs", "xfs", "overlay"].some(isPseudoType)).toBe(false);
  });
});
