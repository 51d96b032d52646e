/**
 * The startup-objects area: what runs when the machine boots, a user logs in or a program
 * starts. systemd units (system and user) and the programs their Exec*= lines run; cron and
 * anacron tables, the run-parts folders and the programs the tables run; SysV init scripts and
 * /etc/rc.local; the login shells' profile and rc files, system-wide and of every user; XDG
 * autostart entries and their programs; /etc/ld.so.preload and the libraries it forces into
 * every process (`non-empty-ld-so-preload`).
 *
 * Names and file contents are read as bytes (paths in memory form, src/shared/path-text.ts): a
 * unit, crontab or script whose name is not UTF-8 is found, and so is a program path written in
 * one as bytes; reasons, warnings and findings name them in text form (`\xHH`).
 *
 * @module
 */
import { posix } from "node:path";
import { UNIT_DIRS } from "../../collectors/service/unit-dirs.js";
import { splitExecStart } from "../../collectors/service/unit-file.js";
import { parseCrontab } from "../../collectors/task/crontab.js";
import type { AreaContext } from "./area-context.js";
import { pathText } from "../../shared/path-text.js";
import { addCommand, addFile, listDir, readMemoryText, regularFile } from "./host-files.js";

const AREA = "startup-objects" as const;
/** systemd's fixed search path for a bare ExecStart name (systemd.service(5)). */
const SYSTEMD_PATH = ["/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"];
/** cron's PATH unless a table sets its own. */
const CRON_PATH = ["/usr/bin", "/bin"];
const USER_UNIT_DIRS = ["/etc/systemd/user", "/run/systemd/user", "/lib/systemd/user", "/usr/lib/systemd/user"];
const UNIT_SUFFIX = /\.(service|timer|socket|path)$/;
const EXEC_KEYS = new Set(["ExecStart", "ExecStartPre", "ExecStartPost", "ExecCondition", "ExecReload", "ExecStop", "ExecStopPost"]);
const SHELL_FILES = ["/etc/profile", "/etc/bash.bashrc", "/etc/bashrc", "/etc/zsh/zshrc", "/etc/zshrc", "/etc/environment", "/etc/rc.local", "/etc/rc.d/rc.local"];
const USER_FILES = [".bashrc", ".profile", ".bash_profile", ".bash_login", ".bash_logout", ".zshrc", ".zprofile", ".xprofile", ".xinitrc"];

/** A startup file's text in memory form (a path written in it keeps its bytes). */
async function readText(ctx: AreaContext, hostPath: string): Promise<string | undefined> {
  const real = await regularFile(ctx, hostPath);
  if (real === undefined) return undefined;
  try {
    return await readMemoryText(ctx, real);
  } catch (error) {
    const text = pathText(hostPath);
    ctx.warn({ code: "read-error", message: `startup objects: cannot read ${text} (${(error as NodeJS.ErrnoException).code ?? "error"})`, path: text });
    return undefined;
  }
}

/** The Exec*= command lines of a unit file. */
export function unitCommands(text: string): string[] {
  const out: string[] = [];
  let section = "";
  for (const raw of text.replace(/[ \t]*\\\r?\n\s*/g, " ").split(/\r?\n/)) {
    const line = raw.trim();
    const header = /^\[(.+)\]$/.exec(line);
    if (header?.[1] !== undefined) section = header[1];
    const eq = line.indexOf("=");
    if (section !== "Service" || eq < 0 || line.startsWith("#") || line.startsWith(";")) continue;
    const key = line.slice(0, eq).trim();
    const value = line.slice(eq + 1).trim();
    if (!EXEC_KEYS.has(key) || value === "") continue;
    const exec = splitExecStart(value);
    if (exec !== undefined) out.push(exec.arguments === undefined ? exec.path : `${exec.path} ${exec.arguments}`);
  }
  return out;
}

/** The Exec= command of a .desktop file's [Desktop Entry], field codes (%f, %U, ...) removed. */
export function desktopCommand(text: string): string | undefined {
  let section = "";
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    const header = /^\[(.+)\]$/.exec(line);
    if (header?.[1] !== undefined) section = header[1];
    if (section === "Desktop Entry" && line.startsWith("Exec=")) return line.slice(5).replace(/%[a-zA-Z%]/g, "").trim();
  }
  return undefined;
}

/** Home folders of the host's accounts (/etc/passwd), plus /root. */
async function homes(ctx: AreaContext): Promise<string[]> {
  const out = new Set<string>(["/root"]);
  for (const line of ((await readText(ctx, "/etc/passwd")) ?? "").split("\n")) {
    const home = line.split(":")[5];
    if (home !== undefined && home.startsWith("/") && home !== "/" && !["/nonexistent", "/dev/null", "/bin", "/usr/sbin", "/sbin"].includes(home)) out.add(posix.normalize(home));
  }
  return [...out].sort();
}

/** Adds a unit file (and, for a service, the programs it runs). */
async function addUnit(ctx: AreaContext, path: string, scope: string): Promise<void> {
  ctx.sawObjects(AREA);
  if (!(await addFile(ctx, AREA, path, `${scope} unit`))) return;
  if (!path.endsWith(".service") && !path.endsWith(".conf")) return;
  const text = await readText(ctx, path);
  if (text === undefined) return;
  for (const command of unitCommands(text)) await addCommand(ctx, AREA, command, SYSTEMD_PATH, `run by ${pathText(posix.basename(path))}`);
}

async function scanUnitDir(ctx: AreaContext, dir: string, scope: string): Promise<void> {
  for (const name of await listDir(ctx, dir)) {
    if (ctx.stopped()) return;
    if (UNIT_SUFFIX.test(name)) await addUnit(ctx, `${dir}/${name}`, scope);
    else if (name.endsWith(".d")) {
      for (const dropIn of await listDir(ctx, `${dir}/${name}`)) if (dropIn.endsWith(".conf")) await addUnit(ctx, `${dir}/${name}/${dropIn}`, scope);
    }
  }
}

/** The crontab's own PATH= setting, else cron's default. */
function cronPath(text: string): string[] {
  const m = /^\s*PATH\s*=\s*"?([^"\n]*)"?\s*$/m.exec(text);
  return m?.[1] !== undefined ? m[1].split(":").filter((d) => d.startsWith("/")) : CRON_PATH;
}

async function addCrontab(ctx: AreaContext, path: string, user: string | undefined): Promise<void> {
  ctx.sawObjects(AREA);
  if (!(await addFile(ctx, AREA, path, "crontab"))) return;
  const text = await readText(ctx, path);
  if (text === undefined) return;
  const search = cronPath(text);
  for (const task of parseCrontab(text, user === undefined ? { path } : { path, user })) {
    const command = task["crontabCommand"];
    if (typeof command === "string") await addCommand(ctx, AREA, command, search, `run by ${pathText(path)}`);
  }
}

async function scanCron(ctx: AreaContext): Promise<void> {
  await addCrontab(ctx, "/etc/crontab", undefined);
  for (const name of await listDir(ctx, "/etc/cron.d")) if (!name.startsWith(".")) await addCrontab(ctx, `/etc/cron.d/${name}`, undefined);
  for (const dir of ["/var/spool/cron/crontabs", "/var/spool/cron"]) {
    for (const name of await listDir(ctx, dir)) if (!name.startsWith(".")) await addCrontab(ctx, `${dir}/${name}`, name);
  }
  // anacron's lines are `period delay id command`: the programs of its run-parts folders are listed below.
  await addFile(ctx, AREA, "/etc/anacrontab", "anacron table");
  for (const period of ["hourly", "daily", "weekly", "monthly", "yearly"]) {
    for (const name of await listDir(ctx, `/etc/cron.${period}`)) {
      if (ctx.stopped()) return;
      ctx.sawObjects(AREA);
      await addFile(ctx, AREA, `/etc/cron.${period}/${name}`, `run ${period} by run-parts`);
    }
  }
}

async function scanShellFiles(ctx: AreaContext, userHomes: readonly string[]): Promise<void> {
  for (const path of SHELL_FILES) {
    ctx.sawObjects(AREA);
    await addFile(ctx, AREA, path, "login or shell start-up file");
  }
  for (const dir of ["/etc/profile.d", "/etc/init.d"]) {
    for (const name of await listDir(ctx, dir)) {
      ctx.sawObjects(AREA);
      await addFile(ctx, AREA, `${dir}/${name}`, dir === "/etc/init.d" ? "SysV init script" : "login shell start-up file");
    }
  }
  for (const home of userHomes) {
    if (ctx.stopped()) return;
    for (const name of USER_FILES) {
      ctx.sawObjects(AREA);
      await addFile(ctx, AREA, `${home}/${name}`, `shell start-up file of ${pathText(home)}`);
    }
  }
}

async function scanAutostart(ctx: AreaContext, userHomes: readonly string[]): Promise<void> {
  const dirs = ["/etc/xdg/autostart", ...userHomes.map((home) => `${home}/.config/autostart`)];
  for (const dir of dirs) {
    for (const name of await listDir(ctx, dir)) {
      if (ctx.stopped()) return;
      if (!name.endsWith(".desktop")) continue;
      const path = `${dir}/${name}`;
      ctx.sawObjects(AREA);
      if (!(await addFile(ctx, AREA, path, "XDG autostart entry"))) continue;
      const command = desktopCommand((await readText(ctx, path)) ?? "");
      if (command !== undefined && command !== "") await addCommand(ctx, AREA, command, SYSTEMD_PATH, `started by ${pathText(path)}`);
    }
  }
}

/** The library paths of an ld.so.preload text (blank- or colon-separated, `#` comments). */
export function preloadEntries(text: string): string[] {
  return text
    .split("\n")
    .map((line) => line.replace(/#.*$/, ""))
    .flatMap((line) => line.split(/[\s:]+/))
    .filter((word) => word !== "");
}

async function scanPreload(ctx: AreaContext): Promise<void> {
  const path = "/etc/ld.so.preload";
  ctx.sawObjects(AREA);
  const text = await readText(ctx, path);
  if (text === undefined) return;
  await addFile(ctx, AREA, path, "libraries preloaded into every program");
  const entries = preloadEntries(text);
  if (entries.length === 0) return;
  ctx.flag({
    area: AREA,
    name: "non-empty-ld-so-preload",
    objectId: path,
    document: "FileItem",
    detail: `${path} forces ${entries.length === 1 ? "a library" : `${entries.length} libraries`} into every dynamically linked program: ${entries.slice(0, 5).map((e) => `"${pathText(e)}"`).join(", ")}${entries.length > 5 ? ", ..." : ""} (a common user-space rootkit technique)`,
  });
  for (const entry of entries) if (entry.startsWith("/")) await addFile(ctx, AREA, entry, `preloaded by ${path}`);
}

/** Scans the startup objects of the host view. */
export async function scanStartup(ctx: AreaContext): Promise<void> {
  const userHomes = await homes(ctx);
  await scanPreload(ctx);
  for (const dir of UNIT_DIRS) await scanUnitDir(ctx, dir, "systemd system");
  for (const dir of USER_UNIT_DIRS) await scanUnitDir(ctx, dir, "systemd user");
  for (const home of userHomes) await scanUnitDir(ctx, `${home}/.config/systemd/user`, `systemd user (${pathText(home)})`);
  if (ctx.stopped()) return;
  await scanCron(ctx);
  if (ctx.stopped()) return;
  await scanShellFiles(ctx, userHomes);
  await scanAutostart(ctx, userHomes);
}
