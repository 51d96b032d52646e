/**
 * Which folders a file scan walks when the user names none: the places on Linux where malware
 * lives or persists (as `kesl-control --scan-ioc` does with its "critical areas"), plus every
 * absolute path the loaded IOCs name, so an IOC about `/opt/app/x` is not missed.
 *
 * @module
 */
import type { EvaluationPlan, PlanItem } from "../core/compile/index.js";

/** The critical file areas of a Linux host. */
export const LINUX_CRITICAL_AREAS: readonly string[] = [
  // binaries and libraries
  "/bin", "/sbin", "/usr/bin", "/usr/sbin", "/usr/local/bin", "/usr/local/sbin",
  "/lib", "/lib64", "/usr/lib", "/usr/lib64", "/usr/local/lib", "/usr/libexec",
  // configuration, boot, and where droppers write
  "/etc", "/boot", "/tmp", "/var/tmp", "/dev/shm",
  // home and root directories
  "/home", "/root",
  // systemd and cron
  "/lib/systemd", "/usr/lib/systemd", "/run/systemd/system", "/var/spool/cron",
];

/** The default scopes: the critical areas plus the absolute paths the IOCs name. */
export function defaultFileScopes(plan: EvaluationPlan): string[] {
  return normalizeScopes([...LINUX_CRITICAL_AREAS, ...pathsNamedByIocs(plan)]);
}

/**
 * Absolute paths named by positive FileItem/FullPath and FilePath items (`is`, `starts-with`):
 * a FullPath's folder, a FilePath as a folder.
 */
export function pathsNamedByIocs(plan: EvaluationPlan): string[] {
  const paths: string[] = [];
  // Span by span: a hash list's run is no path item, and is not built item by item.
  for (const { lo, hi, first } of plan.items.spans()) {
    if (isPathItem(first)) for (let ref = lo; ref <= hi; ref++) addPathOf(plan.items.at(ref) as PlanItem, paths);
  }
  return paths.filter((path) => path !== "" && path !== "/");
}

function addPathOf(item: PlanItem, paths: string[]): void {
  const value = item.value.trim();
  if (item.field === "FullPath" && value.startsWith("/")) {
    paths.push(item.condition === "is" ? parentOf(value) : parentOf(value) || "/");
  } else if (item.field === "FilePath" && value !== "" && !value.includes("\\") && !/^[a-z]:/i.test(value)) {
    // OpenIOC writes FilePath without leading or trailing separators.
    paths.push(`/${value.replace(/^\/+|\/+$/g, "")}`);
  }
}

function isPathItem(item: PlanItem): boolean {
  return (
    item.document === "FileItem" &&
    item.status.kind === "supported" &&
    !item.negate &&
    (item.condition === "is" || item.condition === "starts-with")
  );
}

function parentOf(path: string): string {
  const slash = path.lastIndexOf("/");
  return slash <= 0 ? "" : path.slice(0, slash);
}

/** Sorted, without duplicates and without folders already inside another scope. */
export function normalizeScopes(scopes: readonly string[]): string[] {
  const cleaned = [...new Set(scopes.map((s) => (s.length > 1 ? s.replace(/\/+$/, "") : s)))].sort();
  const kept: string[] = [];
  for (const scope of cleaned) {
    if (kept.some((outer) => outer === "/" || scope === outer || scope.startsWith(`${outer}/`))) continue;
    kept.push(scope);
  }
  return kept;
}
