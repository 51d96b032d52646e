/**
 * Test helpers: a fixture host root with one object of every startup kind, IOC plans built from
 * item XML, and child processes started from a temporary copy of `sleep`. Used by tests only.
 *
 * @module
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { mkdir, readFile, readlink, symlink, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { compilePlan, type EvaluationPlan } from "../../core/compile/index.js";
import { parseIoc } from "../../core/ioc/index.js";

export const EICAR = "X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*";
export const RELEASE = "6.1.0-fixture";

/** Writes `files` (host path → content) under `root`. */
export async function writeTree(root: string, files: Readonly<Record<string, string | Buffer>>): Promise<void> {
  for (const [path, content] of Object.entries(files)) {
    const disk = join(root, path);
    await mkdir(dirname(disk), { recursive: true });
    await writeFile(disk, content);
  }
}

/** 64 KiB + 1 of a disk with an MBR signature and `marker` at byte 1024. */
export function diskImage(marker: string): Buffer {
  const disk = Buffer.alloc(64 * 1024 + 512);
  disk[510] = 0x55;
  disk[511] = 0xaa;
  disk.write(marker, 1024, "latin1");
  return disk;
}

/** A host image with one object of every area kind. */
export async function writeFixtureHost(root: string): Promise<void> {
  await writeTree(root, {
    "etc/passwd": "root:x:0:0:root:/root:/bin/bash\nalice:x:1000:1000::/home/alice:/bin/bash\nnobody:x:65534:65534::/nonexistent:/usr/sbin/nologin\n",
    "etc/ld.so.preload": "# preloaded\n/usr/lib/libevil.so\n",
    "usr/lib/libevil.so": "not really a library",
    "proc/modules": "ext4 1003520 1 - Live 0x0000000000000000\n",
    "proc/sys/kernel/osrelease": `${RELEASE}\n`,
    "sys/module/ext4/initstate": "live\n",
    "sys/module/evilmod/initstate": "live\n",
    "sys/module/printk/parameters/time": "Y\n", // built in: no initstate, never "hidden"
    [`lib/modules/${RELEASE}/modules.dep`]: "kernel/fs/ext4/ext4.ko:\n",
    [`lib/modules/${RELEASE}/kernel/fs/ext4/ext4.ko`]: "ext4 module bytes",
    "sys/block/sda/size": "2048\n",
    "sys/block/loop0/size": "2048\n",
    "dev/sda": diskImage("fixture boot code"),
    "boot/grub/grub.cfg": "menuentry 'Debian' {}\n",
    "etc/systemd/system/evil.service": "[Unit]\nDescription=Totally legit\n[Service]\nExecStart=/opt/evil/bin/payload --daemon\n[Install]\nWantedBy=multi-user.target\n",
    "opt/evil/bin/payload": "evil payload bytes\n",
    "etc/cron.d/beacon": "SHELL=/bin/sh\n*/5 * * * * root /usr/local/bin/beacon.sh >/dev/null 2>&1\n",
    "usr/local/bin/beacon.sh": "#!/bin/sh\ncurl http://203.0.113.7/\n",
    "etc/profile.d/proxy.sh": "export http_proxy=http://203.0.113.7:3128\n",
    "home/alice/.bashrc": "alias ls='ls --color'\n",
    "home/alice/.config/autostart/updater.desktop": "[Desktop Entry]\nType=Application\nName=Updater\nExec=/home/alice/.local/bin/updater %U\n",
    "home/alice/.local/bin/updater": "updater bytes\n",
  });
}

/** A plan of one IOC whose definition is an OR of `items`. */
export function planOf(items: string, id = "critical-test"): EvaluationPlan {
  const { document } = parseIoc(
    `<ioc xmlns="http://schemas.mandiant.com/2010/ioc" id="${id}"><short_description>Critical areas test</short_description><definition><Indicator operator="OR" id="top">${items}</Indicator></definition></ioc>`,
  );
  if (!document) throw new Error("test IOC did not parse");
  return compilePlan([{ file: `${id}.ioc`, document }]);
}

/** One IndicatorItem. */
export function item(id: string, document: string, search: string, value: string, type = "string"): string {
  return `<IndicatorItem id="${id}" condition="is"><Context document="${document}" search="${document}/${search}" type="mir"/><Content type="${type}">${value}</Content></IndicatorItem>`;
}

export function md5(data: Buffer | string): string {
  return createHash("md5").update(data).digest("hex");
}

/** Copies /bin/sleep to `path` with random bytes appended, so its digests are unique to this run. */
export async function uniqueSleep(path: string | Buffer): Promise<Buffer> {
  const bytes = Buffer.concat([await readFile("/bin/sleep"), randomBytes(64)]);
  await writeFile(path, bytes, { mode: 0o755 });
  return bytes;
}

/** Starts `program 300` and waits until the kernel shows it running `expectExe`. */
export async function startSleeper(program: string, expectExe: string): Promise<ChildProcess> {
  const child = spawn(program, ["300"], { stdio: "ignore" });
  const pid = child.pid;
  if (pid === undefined) throw new Error(`Cannot start "${program}"`);
  for (let i = 0; i < 1000; i++) {
    const exe = await readlink(`/proc/${pid}/exe`).catch(() => "");
    if (exe === expectExe) return child;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  child.kill("SIGKILL");
  throw new Error(`"${program}" did not start as "${expectExe}"`);
}

/** A path as bytes: `parts` are strings (UTF-8) and byte arrays, e.g. `bytePath(dir, "/run", [0xff], "ner")`. */
export function bytePath(...parts: (string | number[])[]): Buffer {
  return Buffer.concat(parts.map((part) => (typeof part === "string" ? Buffer.from(part) : Buffer.from(part))));
}

/** Writes `content` at the byte path `path` (absolute), making its folders. */
export async function writeBytes(path: Buffer, content: string | Buffer, mode?: number): Promise<void> {
  await mkdir(path.subarray(0, path.lastIndexOf(0x2f)), { recursive: true });
  await writeFile(path, content, mode === undefined ? {} : { mode });
}

/**
 * Starts the program at the byte path `program` with `300` (spawn takes a file name as UTF-8 text
 * only: sh reaches the bytes through printf's octal escapes) and waits until the kernel shows it
 * running `expectExe` (default `program`).
 */
export async function startSleeperAt(program: Buffer, expectExe: Buffer = program): Promise<ChildProcess> {
  const format = [...program].map((byte) => `\\${byte.toString(8).padStart(3, "0")}`).join("");
  const child = spawn("sh", ["-c", 'exec "$(printf "$1")" 300', "sh", format], { stdio: "ignore" });
  const pid = child.pid;
  if (pid === undefined) throw new Error("Cannot start sh");
  for (let i = 0; i < 1000; i++) {
    const exe = await readlink(`/proc/${pid}/exe`, { encoding: "buffer" }).catch(() => Buffer.alloc(0));
    if (exe.equals(expectExe)) return child;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  child.kill("SIGKILL");
  throw new Error(`"${program.toString("latin1")}" did not start`);
}

/** A symlink named `name` in `dir` to `target`. */
export async function linkAs(dir: string, name: string, target: string): Promise<string> {
  const path = join(dir, name);
  await symlink(target, path);
  return path;
}
