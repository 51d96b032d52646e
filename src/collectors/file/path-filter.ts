/**
 * The walk's path filter (`--exclude` globs, `--hint`) in a form that crosses to a file worker:
 * each glob as the regular expression picomatch compiles it to, so that the worker leaves out
 * excluded folders and unwanted files while it lists ahead, exactly as the walk would. Without
 * it, a scan with one exclusion listed folder by folder, sent every file to the main thread and
 * lost the size gate (tree B with sizes: 0.32 s -> 0.50 s).
 *
 * A path is excluded when it equals a glob or the glob's expression matches it (picomatch's own
 * test on POSIX paths; host paths are POSIX paths on every platform). The walk's check and the
 * worker's (worker-program.ts, `excludedHost`) are this rule, from the same expressions.
 *
 * @module
 */
import picomatch from "picomatch";

/** One exclusion glob and its compiled expression. */
export interface ExcludeSpec {
  readonly glob: string;
  readonly source: string;
  readonly flags: string;
}

/** What a worker needs to filter a scan's paths: structured-clone safe. */
export interface PathFilterSpec {
  readonly excludes: readonly ExcludeSpec[];
  /** `--hint`: files whose host path it does not match are not wanted (folders still walked). */
  readonly hint?: { readonly source: string; readonly flags: string };
}

/** The spec of `excludes` (picomatch globs on host paths, dot files included) and `hint`. */
export function pathFilterSpec(excludes: readonly string[], hint?: RegExp): PathFilterSpec {
  return {
    excludes: excludes.map((glob) => {
      const re = picomatch.makeRe(glob, { dot: true, windows: false });
      return { glob, source: re.source, flags: re.flags };
    }),
    ...(hint === undefined ? {} : { hint: { source: hint.source, flags: hint.flags.replace(/[gy]/g, "") } }),
  };
}

/** Whether `spec` leaves anything out: a walk without exclusions or hint needs no filter. */
export function filtersPaths(spec: PathFilterSpec): boolean {
  return spec.excludes.length > 0 || spec.hint !== undefined;
}

/** The walk's test of a host path against the exclusions of `spec`. */
export function exclusionTest(spec: PathFilterSpec): (hostPath: string) => boolean {
  if (spec.excludes.length === 0) return () => false;
  const tests = spec.excludes.map(({ glob, source, flags }) => ({ glob, re: new RegExp(source, flags) }));
  return (path) => path !== "" && tests.some(({ glob, re }) => path === glob || re.test(path));
}

/**
 * Whether `a` and `b` leave out the same paths: both nothing, or the same globs (as written, in
 * order) and the same hint. Listings made with one are then what the other would have made.
 */
export function sameFilter(a: PathFilterSpec | undefined, b: PathFilterSpec | undefined): boolean {
  const on = (spec: PathFilterSpec | undefined): spec is PathFilterSpec => spec !== undefined && filtersPaths(spec);
  if (!on(a) || !on(b)) return !on(a) && !on(b);
  const sameHint = a.hint === undefined ? b.hint === undefined : b.hint !== undefined && a.hint.source === b.hint.source && a.hint.flags === b.hint.flags;
  return sameHint && a.excludes.length === b.excludes.length && a.excludes.every(({ glob }, i) => glob === b.excludes[i]?.glob);
}
