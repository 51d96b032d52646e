/**
 * Path and registry-key generalisation (research notes section 4.4): sandbox paths carry the VM's
 * user name, drive and per-run names. What reaches an IOC is the part that is the same on every
 * machine, matched with `ends-with`.
 *
 * @module
 */

const PROFILE = /^[a-z]:\\(?:users|documents and settings)\\([^\\]+)\\(.+)$/i;
const DRIVE = /^[a-z]:(\\.+)$/i;

/** Removes NT prefixes (`\??\`, `\\?\`) sandboxes leave on image paths. */
export function cleanWindowsPath(path: string): string {
  return path.replace(/^\\(\?\?|\\\?)\\/, "").replace(/\//g, "\\");
}

/** The file name at the end of a Windows or POSIX path. */
export function baseName(path: string): string {
  const parts = cleanWindowsPath(path).split("\\");
  return parts[parts.length - 1] ?? path;
}

/** The user name of a profile path (`C:\Users\comp\...` gives `comp`), or undefined. */
export function profileUser(path: string): string | undefined {
  return PROFILE.exec(cleanWindowsPath(path))?.[1];
}

/**
 * The tail an `ends-with` test can use on any machine: after the user profile
 * (`\AppData\Roaming\Microsoft\Jxoqwnx\jxoqwn.exe`), or the path without its drive letter
 * (`\Windows\SysWOW64\structsreadand.exe`). Undefined for paths that are not Windows paths.
 */
export function generalisedTail(path: string): string | undefined {
  const clean = cleanWindowsPath(path);
  const profile = PROFILE.exec(clean);
  if (profile) return `\\${profile[2] ?? ""}`;
  return DRIVE.exec(clean)?.[1];
}

/** A registry key split into the hive and the path below it. */
export interface RegistryKeyParts {
  readonly hive: string;
  readonly keyPath: string;
}

const HIVES: Readonly<Record<string, string>> = {
  HKLM: "HKEY_LOCAL_MACHINE",
  HKCU: "HKEY_CURRENT_USER",
  HKU: "HKEY_USERS",
  HKCR: "HKEY_CLASSES_ROOT",
  HKEY_LOCAL_MACHINE: "HKEY_LOCAL_MACHINE",
  HKEY_CURRENT_USER: "HKEY_CURRENT_USER",
  HKEY_USERS: "HKEY_USERS",
  HKEY_CLASSES_ROOT: "HKEY_CLASSES_ROOT",
};

/**
 * Splits `HKEY_CURRENT_USER\Software\...` (or `HKCU\...`, or the kernel's `\REGISTRY\USER\<SID>\...`)
 * into hive and key path. A key under one user's SID is read as HKEY_CURRENT_USER: the SID is the
 * analysis VM's.
 */
export function splitRegistryKey(key: string): RegistryKeyParts | undefined {
  let k = key.replace(/\\+$/, "");
  const kernel = /^\\REGISTRY\\(MACHINE|USER\\[^\\]+)\\(.+)$/i.exec(k);
  if (kernel) k = `${/^MACHINE$/i.test(kernel[1] ?? "") ? "HKEY_LOCAL_MACHINE" : "HKEY_CURRENT_USER"}\\${kernel[2] ?? ""}`;
  const users = /^(HKEY_USERS|HKU)\\(S-1-5-21-[\d-]+|\.DEFAULT)\\(.+)$/i.exec(k);
  if (users) k = `HKEY_CURRENT_USER\\${users[3] ?? ""}`;
  const slash = k.indexOf("\\");
  if (slash < 0) return undefined;
  const hive = HIVES[k.slice(0, slash).toUpperCase()];
  return hive ? { hive, keyPath: k.slice(slash + 1) } : undefined;
}
