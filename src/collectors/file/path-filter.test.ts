/**
 * The walk's exclusion test, which file workers rebuild from the same expressions, says what
 * picomatch says of host paths.
 */
import picomatch from "picomatch";
import { describe, expect, it } from "vitest";
import { exclusionTest, filtersPaths, pathFilterSpec, sameFilter } from "./path-filter.js";

const GLOBS = ["/tmp/**", "**/node_modules", "**/node_modules/**", "/home/*/.cache/**", "*.log", "**/*.log", "/var/lib/docker", "/srv/{a,b}/**", "!/etc/**", "/opt/[ab]*", "/x y/**"];
const PATHS = ["/", "/tmp", "/tmp/a", "/tmp/.hidden/x", "/srv/a/f", "/srv/c/f", "/home/u/.cache/x", "/home/u/.cachex", "/a/node_modules", "/a/node_modules/b", "/app.log", "/var/log/syslog.log", "/var/lib/docker", "/var/lib/docker/x", "/etc/passwd", "/opt/alpha", "/opt/cat", "/x y/z", ""];

describe("path filter", () => {
  it("excludes exactly the host paths picomatch matches, glob by glob", () => {
    for (const glob of GLOBS) {
      const ours = exclusionTest(pathFilterSpec([glob]));
      const theirs = picomatch(glob, { dot: true, windows: false });
      for (const path of PATHS) expect([glob, path, ours(path)]).toEqual([glob, path, path !== "" && theirs(path)]);
    }
  });

  it("excludes a path any glob matches; without globs nothing", () => {
    const excluded = exclusionTest(pathFilterSpec(["/tmp/**", "**/*.log"]));
    expect(PATHS.filter(excluded)).toEqual(["/tmp", "/tmp/a", "/tmp/.hidden/x", "/app.log", "/var/log/syslog.log"]);
    expect(PATHS.some(exclusionTest(pathFilterSpec([])))).toBe(false);
    expect(filtersPaths(pathFilterSpec([]))).toBe(false);
    expect(filtersPaths(pathFilterSpec([], /x/))).toBe(true);
  });

  it("keeps a hint's expression without its global or sticky flag (a test must not move on)", () => {
    expect(pathFilterSpec([], /\.exe$/giy).hint).toEqual({ source: "\\.exe$", flags: "i" });
  });

  it("sameFilter() says two filters leave out the same paths only when their globs and hint are the same", () => {
    expect(sameFilter(undefined, pathFilterSpec([]))).toBe(true);
    expect(sameFilter(pathFilterSpec(["/tmp/**"], /x/), pathFilterSpec(["/tmp/**"], /x/))).toBe(true);
    expect(sameFilter(undefined, pathFilterSpec(["/tmp/**"]))).toBe(false);
    expect(sameFilter(pathFilterSpec(["/tmp/**"]), undefined)).toBe(false);
    expect(sameFilter(pathFilterSpec(["/tmp/**"]), pathFilterSpec(["/tmp/**", "*.log"]))).toBe(false);
    expect(sameFilter(pathFilterSpec(["/tmp/**"]), pathFilterSpec(["/tmp/**"], /x/))).toBe(false);
    expect(sameFilter(pathFilterSpec([], /x/i), pathFilterSpec([], /x/))).toBe(false);
  });
});
