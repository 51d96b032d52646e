/**
 * The shipped CLI is an esbuild bundle (scripts/bundle-cli.ts) started by its launcher: it must
 * run a real scan, record it with the native SQLite addon, find files located at run time
 * (package.json), and keep its V8 code cache (src/cli/code-cache.ts) in the folder it is given.
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bundleCli } from "../../scripts/bundle-cli.js";

const repo = fileURLToPath(new URL("../../", import.meta.url));
let work: string;
let cli: string;
let codeCache: string;

function run(args: readonly string[], timeout = 60_000): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [cli, ...args], { encoding: "utf8", timeout, killSignal: "SIGKILL", env: { ...process.env, IOCSCAN_CODE_CACHE_DIR: codeCache } });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), "iocscan-bundle-"));
  // As installed: the external native addons resolve from a node_modules beside the bundle.
  symlinkSync(join(repo, "node_modules"), join(work, "node_modules"), "dir");
  // The source tree stands in for the per-file emit: only run-time URLs point into it.
  await bundleCli({ repo, emitRoot: join(repo, "src"), packageRoot: repo, outDir: join(work, "bin") });
  cli = join(work, "bin/iocscan.cjs");
  codeCache = join(work, "code-cache");
}, 60_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe("the bundled CLI", () => {
  it("reads its version from package.json, located from the bundle", () => {
    const version = (JSON.parse(readFileSync(join(repo, "package.json"), "utf8")) as { version: string }).version;
    const result = run(["--version"]);
    expect(result.stderr).toBe("");
    expect(result.stdout.trim()).toBe(version);
  });

  it("scans a folder, reports the planted file and records the scan in the results database", () => {
    const tree = join(work, "tree");
    mkdirSync(tree);
    const content = Buffer.from("bundle test: planted file\n");
    writeFileSync(join(tree, "planted.bin"), content);
    writeFileSync(join(tree, "other.txt"), "nothing to see\n");
    const sha256 = createHash("sha256").update(content).digest("hex");
    const ioc = join(work, "planted.ioc");
    writeFileSync(
      ioc,
      `<?xml version="1.0" encoding="utf-8"?>
<ioc xmlns="http://schemas.mandiant.com/2010/ioc" id="6d2c0b2e-5a43-4c8e-9a3c-0b1f5e1e7a01" last-modified="2026-11-28T00:00:00">
  <short_description>bundle test</short_description>
  <definition>
    <Indicator operator="OR" id="6d2c0b2e-5a43-4c8e-9a3c-0b1f5e1e7a02">
      <IndicatorItem id="6d2c0b2e-5a43-4c8e-9a3c-0b1f5e1e7a03" condition="is">
        <Context document="FileItem" search="FileItem/Sha256sum" type="mir"/>
        <Content type="sha256">${sha256}</Content>
      </IndicatorItem>
    </Indicator>
  </definition>
</ioc>
`,
    );
    const db = join(work, "results.db");
    const scan = (): string[] => {
      const result = run(["scan", "--ioc", ioc, "--scope", tree, "--format", "json", "--db", db, "--no-hash-cache"]);
      expect(result.stderr).toBe("");
      expect(result.status).toBe(1);
      const report = JSON.parse(result.stdout) as { detections: { objects: { id: string; fields: { FullPath?: string } }[] }[] };
      return report.detections.flatMap((d) => d.objects.map((o) => o.fields.FullPath ?? o.id));
    };
    expect(scan()).toEqual([join(tree, "planted.bin")]);
    // The first scan wrote the code cache of `scan`; the second starts from it and leaves it as is.
    const [cacheName] = readdirSync(codeCache).filter((name) => name.startsWith("scan-"));
    expect(cacheName).toMatch(/^scan-[0-9a-f]{16}\.v8$/);
    const cache = statSync(join(codeCache, cacheName as string));
    expect(cache.size).toBeGreaterThan(100_000);
    expect(scan()).toEqual([join(tree, "planted.bin")]);
    expect(statSync(join(codeCache, cacheName as string)).mtimeMs).toBe(cache.mtimeMs);
    const list = run(["results", "list", "--db", db]);
    expect(list.status).toBe(0);
    expect(list.stdout).toMatch(/finished/);
  });

  it("a scan that fails before it walks exits: the launcher's worker does not keep it alive", () => {
    const tree = join(work, "tree-failing");
    mkdirSync(tree);
    const failing = [
      // A usage error after the launcher started the worker streaming the scope.
      ["scan", "--iocs", join(work, "planted.ioc"), "--scope", tree],
      // No scope named: the worker started, nothing streamed.
      ["scan", "--no-such-option"],
      // The options parse; the IOC file does not exist.
      ["scan", "--ioc", join(work, "missing.ioc"), "--scope", tree, "--no-db"],
    ];
    for (const args of failing) {
      const result = run(args, 20_000);
      expect(result.status, args.join(" ")).toBe(2);
      expect(result.stderr, args.join(" ")).not.toBe("");
    }
  });

  it("a scan whose results database cannot be made says so and finishes", () => {
    // /proc answers ENOENT for a folder it cannot hold, where node's recursive mkdir loops for
    // ever. Nothing can be created there: the scan only fails to make its state folders.
    const db = `/proc/iocscan-test-${process.pid}/results.db`;
    const tree = join(work, "tree");
    const result = run(["scan", "--ioc", join(work, "planted.ioc"), "--scope", tree, "--format", "json", "--db", db], 20_000);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`could not record the scan in "${db}"`);
    expect(result.stderr).toMatch(/hash cache .* unavailable/);
    const report = JSON.parse(result.stdout) as { detections: unknown[] };
    expect(report.detections).toHaveLength(1);
  });

  it("turns a sandbox report into an IOC: the warning lists are found from the bundle", () => {
    const report = join(repo, "test/data/sandbox-reports/cape/cape-v2.2-qakbot-0000a657-trimmed.json");
    const result = run(["ioc", "from-report", report]);
    expect(result.stderr).toMatch(/values? left out/);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain("216.201.159.118");
  });

  it("locates the native file lister from the bundle and from its launcher", () => {
    const lister = join(repo, "native/build/Release/iocscan_fs.node");
    for (const file of ["iocscan.cjs", "iocscan-cli.cjs"]) {
      const located = /new URL\("([^"]*iocscan_fs\.node)"/.exec(readFileSync(join(work, "bin", file), "utf8"))?.[1];
      expect(located, file).toBeDefined();
      expect(join(work, "bin", located ?? "")).toBe(lister);
    }
  });

  it("a damaged code cache costs the compile, not the command", () => {
    const [cacheName] = readdirSync(codeCache).filter((name) => name.startsWith("scan-"));
    writeFileSync(join(codeCache, cacheName as string), Buffer.alloc(65_536, 7), { mode: 0o600 });
    const result = run(["scan", "--ioc", join(work, "planted.ioc"), "--scope", join(work, "tree"), "--format", "json", "--no-db", "--no-hash-cache"]);
    expect(result.stderr).toBe("");
    expect(result.status).toBe(1);
    // Refused, then written anew.
    expect(statSync(join(codeCache, cacheName as string)).size).toBeGreaterThan(100_000);
  });
});
