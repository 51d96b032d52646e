/**
 * Which processes are the sample's (research notes section 4.2): the sample's process and its
 * descendants, the processes it injected into, any process whose image is a file the tree wrote,
 * and any other non-stock program that started during the run (Emotet's persistent copy is
 * started by services.exe, so a parent walk alone misses it; in a clean analysis VM only stock
 * programs run by themselves). The rules repeat until nothing changes.
 *
 * @module
 */
import { STOCK_PROGRAMS } from "./noise-lists.js";
import { baseName, cleanWindowsPath } from "./paths.js";

/** A process as the parsers see it before the tree is known. */
export interface RawProcess {
  readonly id: string;
  readonly parentId?: string;
  readonly image?: string;
  readonly name?: string;
  readonly commandLine?: string;
}

/** Programs of the sandbox itself (its analyzer and injectors). */
const SANDBOX_PROGRAMS = new Set(["python.exe", "pythonw.exe", "pyw.exe", "inject-x86.exe", "inject-x64.exe", "analyzer.exe", "agent.exe", "agent.pyw"]);

/** True for a stock Windows program or a program of the sandbox itself (or no name at all). */
export function isStockProgram(name: string): boolean {
  const lower = name.toLowerCase();
  return lower === "" || STOCK_PROGRAMS.has(lower) || SANDBOX_PROGRAMS.has(lower);
}

/** The ids of the sample's processes. */
export function sampleTree(
  processes: readonly RawProcess[],
  roots: readonly string[],
  options: {
    /** Processes the report marks as injected into, injector unknown. */
    readonly injected?: readonly string[];
    /** Injections with their injector: the target joins when the injector is the sample's. */
    readonly injections?: readonly { readonly from: string; readonly to: string }[];
    readonly writtenPaths?: readonly string[];
  } = {},
): Set<string> {
  const tree = new Set(roots.filter((id) => processes.some((p) => p.id === id)));
  for (const id of options.injected ?? []) tree.add(id);
  const written = new Set((options.writtenPaths ?? []).map((p) => cleanWindowsPath(p).toLowerCase()));
  const stock = (p: RawProcess): boolean => isStockProgram(p.name ?? (p.image === undefined ? "" : baseName(p.image)));
  let changed = tree.size > 0;
  while (changed) {
    changed = false;
    for (const p of processes) {
      if (tree.has(p.id)) continue;
      const child = p.parentId !== undefined && tree.has(p.parentId);
      const fromWrittenFile = p.image !== undefined && written.has(cleanWindowsPath(p.image).toLowerCase());
      const strangerProgram = !stock(p);
      const injectedBySample = (options.injections ?? []).some((i) => i.to === p.id && tree.has(i.from));
      if (child || fromWrittenFile || strangerProgram || injectedBySample) {
        tree.add(p.id);
        changed = true;
      }
    }
  }
  return tree;
}

/** The sandbox's score (0-10 scale) as a verdict: 7 and above malicious, 4 and above suspicious. */
export function verdictOfScore(score: number | undefined): "malicious" | "suspicious" | "clean" | "unknown" {
  if (score === undefined) return "unknown";
  if (score >= 7) return "malicious";
  if (score >= 4) return "suspicious";
  return "clean";
}
