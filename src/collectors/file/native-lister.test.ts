/**
 * The native lister (native/fs-lister.c) against node:fs: the same names, kinds, lstat values
 * and errors. CI sets IOCSCAN_REQUIRE_NATIVE_FS=1: there a lister that was not built fails these
 * tests instead of skipping them.
 */
import { execFileSync } from "node:child_process";
import { once } from "node:events";
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync, type Dirent } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { NATIVE_LISTER, STAT_FIELDS, startFileWorkerThread } from "./worker-program.js";

interface NativeLister {
  listFolder(path: string): { names: string[]; types: Uint8Array };
  lstatNames(folder: string, names: readonly string[], values: BigInt64Array): [number, string, string][];
}

const wanted = process.env["IOCSCAN_REQUIRE_NATIVE_FS"] === "1" || (process.platform === "linux" && existsSync(NATIVE_LISTER));
const lister = (): NativeLister => createRequire(import.meta.url)(NATIVE_LISTER) as NativeLister;

const root = mkdtempSync(join(tmpdir(), "iocscan-native-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
writeFileSync(join(root, "plain.txt"), "twelve bytes");
writeFileSync(join(root, ".hidden"), "");
writeFileSync(join(root, "naïve 文件.bin"), Buffer.alloc(3000, 1));
mkdirSync(join(root, "folder"));
symlinkSync("plain.txt", join(root, "link"));
symlinkSync("missing", join(root, "dangling"));
execFileSync("mkfifo", [join(root, "pipe")]);

const kindOf = (e: Dirent): string => (e.isFile() ? "file" : e.isDirectory() ? "folder" : e.isSymbolicLink() ? "link" : e.isFIFO() ? "fifo" : "other");
const DT_KIND: Record<number, string> = { 8: "file", 4: "folder", 10: "link", 1: "fifo" };
const lstatValues = (path: string): bigint[] => {
  const s = lstatSync(path, { bigint: true });
  return STAT_FIELDS.map((field) => s[field]);
};
const errorOf = (work: () => unknown): { code: string | undefined; message: string; syscall: string | undefined; path: string | undefined } => {
  try {
    work();
  } catch (error) {
    const e = error as NodeJS.ErrnoException;
    return { code: e.code, message: e.message, syscall: e.syscall, path: e.path };
  }
  throw new Error("did not throw");
};

describe.runIf(wanted)("the native lister", () => {
  it("lists a folder's names with their kinds, as readdirSync does", () => {
    const { names, types } = lister().listFolder(root);
    const native = names.map((name, i) => `${name} ${DT_KIND[types[i] as number] ?? "other"}`).sort();
    expect(native).toEqual(readdirSync(root, { withFileTypes: true }).map((e) => `${e.name} ${kindOf(e)}`).sort());
    expect(names).toContain("naïve 文件.bin");
    expect(names).not.toContain(".");
  });

  it("lstats names relative to their folder: the values of lstatSync, links not followed", () => {
    const names = readdirSync(root);
    const values = new BigInt64Array(names.length * STAT_FIELDS.length).fill(-1n);
    expect(lister().lstatNames(root, names, values)).toEqual([]);
    names.forEach((name, i) => {
      const at = i * STAT_FIELDS.length;
      expect([...values.subarray(at, at + STAT_FIELDS.length)], name).toEqual(lstatValues(join(root, name)));
    });
  });

  it("fails a name as lstatSync fails it, and goes on with the others", () => {
    const names = ["plain.txt", "gone", "plain.txt/below", "x".repeat(300)];
    const values = new BigInt64Array(names.length * STAT_FIELDS.length);
    const failures = lister().lstatNames(root, names, values);
    expect(failures).toEqual(
      names.slice(1).map((name, k) => {
        const { code, message } = errorOf(() => lstatSync(join(root, name)));
        return [k + 1, code, message];
      }),
    );
    expect(values[STAT_FIELDS.indexOf("size")]).toBe(12n);
    // A failed name's values are zeros, never what an earlier call left.
    expect([...values.subarray(STAT_FIELDS.length)].every((v) => v === 0n)).toBe(true);
  });

  it("fails every name of a folder it cannot open, and a folder it cannot list as readdirSync does", () => {
    const missing = join(root, "no-such-folder");
    const failures = lister().lstatNames(missing, ["a", "b"], new BigInt64Array(2 * STAT_FIELDS.length));
    expect(failures.map(([index, code]) => [index, code])).toEqual([
      [0, "ENOENT"],
      [1, "ENOENT"],
    ]);
    expect(failures[0]?.[2]).toBe(errorOf(() => lstatSync(join(missing, "a"))).message);
    for (const path of [missing, join(root, "plain.txt")]) expect(errorOf(() => lister().listFolder(path))).toEqual(errorOf(() => readdirSync(path)));
  });

  it("refuses arguments it cannot fill", () => {
    expect(() => lister().lstatNames(root, ["plain.txt", "folder"], new BigInt64Array(STAT_FIELDS.length))).toThrow(TypeError);
    expect(() => lister().lstatNames(root, ["plain.txt"], new Float64Array(STAT_FIELDS.length) as unknown as BigInt64Array)).toThrow(TypeError);
    expect(() => lister().listFolder(42 as unknown as string)).toThrow(TypeError);
  });

  it("is what a file worker lists with, unless IOCSCAN_NATIVE_FS=off", async () => {
    const listerOf = async (): Promise<unknown> => {
      const worker = startFileWorkerThread();
      try {
        worker.postMessage({ op: "info", id: 1 });
        const [reply] = (await once(worker, "message")) as [{ lister: string }];
        return reply.lister;
      } finally {
        await worker.terminate();
      }
    };
    expect(await listerOf()).toBe("native");
    process.env["IOCSCAN_NATIVE_FS"] = "off";
    try {
      expect(await listerOf()).toBe("node:fs");
    } finally {
      delete process.env["IOCSCAN_NATIVE_FS"];
    }
  });
});
