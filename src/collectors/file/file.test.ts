import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { subscribe, unsubscribe } from "node:diagnostics_channel";
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { collectAll, createTestContext, runConformance, type TestContext } from "../conformance.js";
import { createHostView } from "../host-view.js";
import type { HostRecord, HostView } from "../types.js";
import { buildPe } from "./_test-pe.js";
import { WORKER_START_CHANNEL, type WorkerStart } from "./file-workers.js";
import { fileCollector, type FileCollectorOptions } from "./index.js";

// The planted tree is built synchronously so the conformance suite can be registered with it.
const root = mkdtempSync(join(tmpdir(), "iocscan-file-"));
const EVIL = buildPe({ timeDateStamp: 1312528209, sections: [".text", ".rdata", "UPX1"], body: Buffer.alloc(3000, 0x90) });
const BLOB = Buffer.alloc(300_000, 7);
const plant = (path: string, content: string | Buffer, mode = 0o644): void => {
  mkdirSync(join(root, path, ".."), { recursive: true });
  writeFileSync(join(root, path), content);
  chmodSync(join(root, path), mode);
};
plant("bin/evil.exe", EVIL);
plant("bin/tool.sh", "#!/bin/sh\necho planted tool marker\n", 0o4755);
plant("docs/readme.txt", "hello\n");
plant("docs/.profile", "export X=1\n");
plant("docs/archive.tar.gz", "not really gzip");
plant("big/blob.bin", BLOB);
plant("cache/skip.txt", "excluded");
mkdirSync(join(root, "loop/inner"), { recursive: true });
symlinkSync("..", join(root, "loop/inner/up")); // a folder link back up: never followed
symlinkSync(root, join(root, "loop/top"));
symlinkSync("../bin/evil.exe", join(root, "loop/evil-link.exe"));
symlinkSync(join(root, "docs"), join(root, "docs-link"));
execFileSync("mkfifo", [join(root, "docs/pipe")]);
afterAll(() => rmSync(root, { recursive: true, force: true }));

const ALL_FIELDS = fileCollector.fields;
const live = createHostView();

async function scan(options: Partial<FileCollectorOptions>, fields: Iterable<string> = ALL_FIELDS, host: HostView = live): Promise<{ records: Map<string, HostRecord>; context: TestContext }> {
  const context = createTestContext(host, fields);
  const records = await collectAll(fileCollector, context, { scopes: [root], ...options });
  return { records: new Map(records.map((r) => [r.id, r])), context };
}
const sha = (algorithm: string, data: string | Buffer): string => createHash(algorithm).update(data).digest("hex");
const at = (path: string): string => join(root, path);

runConformance(fileCollector, (fields) => createTestContext(live, fields), { options: { scopes: [root] }, minRecords: 7, label: "planted tree" });

describe("fileCollector on a planted tree", () => {
  it("fileCollector finds every regular file with its size and the three digests, computed as node:crypto does", async () => {
    const { records, context } = await scan({});
    expect([...records.keys()].sort()).toEqual(
      ["bin/evil.exe", "bin/tool.sh", "docs/readme.txt", "docs/.profile", "docs/archive.tar.gz", "big/blob.bin", "cache/skip.txt"].map(at).sort(),
    );
    const blob = records.get(at("big/blob.bin"));
    expect(blob?.fields).toMatchObject({ SizeInBytes: 300_000, Md5sum: sha("md5", BLOB), Sha1sum: sha("sha1", BLOB), Sha256sum: sha("sha256", BLOB) });
    expect(context.counts.get("filesSeen")).toBe(7);
    expect(context.counts.get("filesHashed")).toBe(7);
    expect(context.counts.get("bytesHashed")).toBe([...records.values()].reduce((n, r) => n + (r.fields["SizeInBytes"] as number), 0));
  });

  it("fileCollector writes FilePath without separators, FileExtension without a dot, Permissions as octal digits, owner names", async () => {
    const { records } = await scan({}, ["FullPath", "FileName", "Permissions", "Username", "Group", "Modified", "Changed", "Accessed"]);
    const tool = records.get(at("bin/tool.sh"))?.fields;
    expect(tool).toMatchObject({ FullPath: at("bin/tool.sh"), FilePath: at("bin").slice(1), FileName: "tool.sh", FileExtension: "sh", Permissions: 4755 });
    expect(tool?.["Modified"]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{3})?Z$/);
    const uid = process.getuid?.() ?? 0;
    expect(tool?.["Username"]).toBe(uid === 0 ? "root" : expect.any(String));
    expect(records.get(at("docs/.profile"))?.fields["FileExtension"]).toBeUndefined();
    expect(records.get(at("docs/archive.tar.gz"))?.fields["FileExtension"]).toBe("gz");
    // Not asked for: not computed.
    expect(tool?.["Md5sum"]).toBeUndefined();
    expect(tool?.["Created"]).toBeUndefined();
  });

  it("fileCollector parses the PE headers of a PE file and gives other files no PE fields", async () => {
    const { records, context } = await scan({}, ["PEInfo/PETimeStamp", "PEInfo/Type", "PEInfo/Sections/Section/Name"]);
    expect(records.get(at("bin/evil.exe"))?.fields).toMatchObject({
      "PEInfo/PETimeStamp": "2011-08-05T07:10:09Z",
      "PEInfo/Type": "Executable",
      "PEInfo/Sections/Section/Name": [".text", ".rdata", "UPX1"],
    });
    expect(records.get(at("bin/tool.sh"))?.fields["PEInfo/Type"]).toBeUndefined();
    expect(context.counts.get("bytesHashed")).toBeUndefined();
  });

  it("fileCollector collects strings only when asked, from at most stringsMaxBytes", async () => {
    const { records } = await scan({ stringsMaxBytes: 20 }, ["StringList/string"]);
    expect(records.get(at("bin/tool.sh"))?.fields["StringList/string"]).toEqual(["#!/bin/sh", "echo plant"]);
    const { records: none } = await scan({}, ["Sha1sum"]);
    expect(none.get(at("bin/tool.sh"))?.fields["StringList/string"]).toBeUndefined();
  });

  it("fileCollector does not descend excluded folders and keeps only files matching the hint", async () => {
    const { records, context } = await scan({ excludes: ["**/cache", "**/*.gz"], hint: /\.(exe|txt)$/g });
    expect([...records.keys()].sort()).toEqual([at("bin/evil.exe"), at("docs/readme.txt")]);
    expect(context.counts.get("dirsExcluded")).toBe(1);
  });

  it("fileCollector never follows links (a loop terminates) but resolves a linked scope root once", async () => {
    const { records, context } = await scan({});
    expect([...records.keys()].some((id) => id.includes("loop/"))).toBe(false);
    expect(context.counts.get("symlinksSkipped")).toBe(4);
    const linked = await scan({ scopes: [at("docs-link"), at("docs")] }, ["FileName"]);
    expect([...linked.records.keys()].sort()).toEqual([at("docs/.profile"), at("docs/archive.tar.gz"), at("docs/readme.txt")]);
    expect(linked.context.warnings).toEqual([]);
  });

  it("fileCollector never opens a FIFO: counted when walked, a warning when named as a scope", async () => {
    const walked = await scan({}, ["Sha256sum"]);
    expect(walked.context.counts.get("filesNotRegular")).toBe(1);
    expect(walked.context.warnings).toEqual([]);
    const named = await scan({ scopes: [at("docs/pipe")] }, ["Sha256sum"]);
    expect(named.records.size).toBe(0);
    expect(named.context.warnings).toMatchObject([{ code: "not-regular", path: at("docs/pipe") }]);
  });

  it("fileCollector finds the same records, counts and warnings with the native lister as with node:fs", async () => {
    // The tree's links, loop, FIFO, dot file and a folder it may not list (unless root).
    const locked = at("locked");
    mkdirSync(join(locked, "inside"), { recursive: true });
    chmodSync(locked, 0o000);
    // Each scan as it is and with a size gate, which the worker applies to what it listed.
    const decide = () => ({ mayMatch: true, fields: new Set(["Sha256sum"]) });
    const scans = async () => [await scan({ scopes: [root, at("docs/pipe")] }), await scan({ decide, sizeGate: [EVIL.length, 12, 6] }, ["Sha256sum"])];
    try {
      const withNative = await scans();
      process.env["IOCSCAN_NATIVE_FS"] = "off";
      const withNodeFs = await scans().finally(() => delete process.env["IOCSCAN_NATIVE_FS"]);
      withNative.forEach((run, i) => {
        const other = withNodeFs[i] as (typeof withNodeFs)[number];
        expect(run.records).toEqual(other.records);
        expect(run.context.counts).toEqual(other.context.counts);
        expect(run.context.warnings).toEqual(other.context.warnings);
        expect(run.records.size).toBeGreaterThan(1);
      });
    } finally {
      chmodSync(locked, 0o755);
      rmSync(locked, { recursive: true });
    }
  });

  it("fileCollector hashes only what the prefilter lets through, and only the digests it asks for", async () => {
    const decide = (cheap: Readonly<Record<string, unknown>>) =>
      cheap["FileName"] === "evil.exe" && cheap["SizeInBytes"] === EVIL.length ? { mayMatch: true, fields: new Set(["Sha256sum"]) } : { mayMatch: false, fields: new Set<string>() };
    const { records, context } = await scan({ decide }, ["Md5sum", "Sha256sum"]);
    expect([...records.values()].map((r) => r.fields)).toMatchObject([{ FileName: "evil.exe", Sha256sum: sha("sha256", EVIL) }]);
    expect(records.get(at("bin/evil.exe"))?.fields["Md5sum"]).toBeUndefined();
    expect(context.counts.get("bytesHashed")).toBe(EVIL.length);
    expect(context.counts.get("filesSkippedByPrefilter")).toBe(6);
  });

  it("fileCollector with a size gate builds no record for a file of another size, and counts it as seen and ruled out", async () => {
    // A decide that lets everything through: what is left out, the gate left out.
    const decide = () => ({ mayMatch: true, fields: new Set(["Sha256sum"]) });
    const { records, context } = await scan({ decide, sizeGate: [1, EVIL.length, BLOB.length] }, ["Sha256sum"]);
    expect([...records.keys()].sort()).toEqual([at("big/blob.bin"), at("bin/evil.exe")]);
    expect(context.counts.get("filesSeen")).toBe(7);
    expect(context.counts.get("filesSkippedByPrefilter")).toBe(5);
    expect(context.counts.get("filesHashed")).toBe(2);
    // With exclusions and a hint too: the files they leave out are neither seen nor ruled out.
    const excluding = await scan({ decide, sizeGate: [EVIL.length], excludes: ["**/cache"] }, ["Sha256sum"]);
    expect([...excluding.records.keys()]).toEqual([at("bin/evil.exe")]);
    expect(excluding.context.counts.get("filesSeen")).toBe(6);
    expect(excluding.context.counts.get("filesSkippedByPrefilter")).toBe(5);
    expect(excluding.context.counts.get("dirsExcluded")).toBe(1);
    const hinted = await scan({ decide, sizeGate: ["hello\n".length], hint: /\.txt$/ }, ["Sha256sum"]);
    expect([...hinted.records.keys()]).toEqual([at("docs/readme.txt")]);
    expect(hinted.context.counts.get("filesSeen")).toBe(2);
    expect(hinted.context.counts.get("filesSkippedByPrefilter")).toBe(1);
  });

  it("fileCollector with hashEveryFile and no hash cache starts its second worker with the first hash batch, and none for a scope without files; without it, a few files hash on one", async () => {
    const starts: WorkerStart[] = [];
    const listener = (message: unknown): void => void starts.push(message as WorkerStart);
    subscribe(WORKER_START_CHANNEL, listener);
    try {
      const every = await scan({ hashEveryFile: true }, ["Sha256sum"]);
      expect(every.context.counts.get("filesHashed")).toBe(7);
      const grown = starts.filter((start) => start.index > 0);
      expect(grown.map(({ index, hashBatches }) => ({ index, hashBatches }))).toEqual(availableParallelism() > 1 ? [{ index: 1, hashBatches: 0 }] : []);
      starts.length = 0;
      const empty = mkdtempSync(join(root, "empty-"));
      await scan({ scopes: [empty], hashEveryFile: true }, ["Sha256sum"]);
      rmSync(empty, { recursive: true });
      expect(starts.map(({ index }) => index)).toEqual([0]);
      starts.length = 0;
      const some = await scan({}, ["Sha256sum"]);
      expect(some.context.counts.get("filesHashed")).toBe(7);
      expect(starts.map(({ index }) => index)).toEqual([0]);
    } finally {
      unsubscribe(WORKER_START_CHANNEL, listener);
    }
  });

  it("fileCollector reports a file over maxHashBytes as too-large, counts it and still yields it unhashed", async () => {
    const { records, context } = await scan({ maxHashBytes: 100_000 }, ["Sha256sum"]);
    expect(records.get(at("big/blob.bin"))?.fields).toMatchObject({ SizeInBytes: 300_000 });
    expect(records.get(at("big/blob.bin"))?.fields["Sha256sum"]).toBeUndefined();
    expect(context.counts.get("filesTooLarge")).toBe(1);
    expect(context.warnings).toMatchObject([{ code: "too-large", path: at("big/blob.bin") }]);
    expect(records.get(at("bin/evil.exe"))?.fields["Sha256sum"]).toBe(sha("sha256", EVIL));
    // Not hashed is not "no digest": the evaluator must read Sha256sum as UNKNOWN on it.
    expect(records.get(at("big/blob.bin"))?.unknownFields).toEqual(["Sha256sum"]);
    expect(records.get(at("bin/evil.exe"))?.unknownFields).toBeUndefined();
  });

  it("fileCollector marks every requested content field of a file over maxHashBytes it could not compute, and only those", async () => {
    const { records } = await scan({ maxHashBytes: 1000 }, ["Md5sum", "Sha1sum", "PEInfo/Type", "StringList/string"]);
    const blob = records.get(at("big/blob.bin"));
    expect(blob?.unknownFields).toEqual(["Md5sum", "Sha1sum"]);
    // PE headers and strings come from a prefix read: still computed (absent PEInfo = not a PE file).
    expect(blob?.fields["StringList/string"]).toBeDefined();
    expect(records.get(at("bin/evil.exe"))?.unknownFields).toEqual(["Md5sum", "Sha1sum"]);
    expect(records.get(at("bin/evil.exe"))?.fields["PEInfo/Type"]).toBeDefined();
    expect(records.get(at("docs/readme.txt"))?.unknownFields).toBeUndefined();
  });

  it("fileCollector reports a file that vanishes between listing and reading as vanished, and goes on", async () => {
    plant("victim/gone.bin", "short-lived");
    plant("victim/stays.bin", "still here");
    // The prefilter runs after the lstat and before the read: deleting the file there is a real race.
    const decide = (cheap: Readonly<Record<string, unknown>>) => {
      if (cheap["FileName"] === "gone.bin") rmSync(at("victim/gone.bin"));
      return { mayMatch: true, fields: new Set(["Sha256sum"]) };
    };
    const { records, context } = await scan({ scopes: [at("victim")], decide }, ["Sha256sum"]);
    expect(context.warnings).toMatchObject([{ code: "vanished", path: at("victim/gone.bin") }]);
    // Listed, then gone before its read: the digest is UNKNOWN on its record, not absent.
    expect(records.get(at("victim/gone.bin"))?.unknownFields).toEqual(["Sha256sum"]);
    expect(records.get(at("victim/stays.bin"))?.unknownFields).toBeUndefined();
    expect(records.get(at("victim/stays.bin"))?.fields["Sha256sum"]).toBe(sha("sha256", "still here"));
    expect(context.counts.get("filesHashed")).toBe(1);
    rmSync(at("victim"), { recursive: true });
  });

  it("fileCollector warns about a scope that does not exist and goes on with the others", async () => {
    const { records, context } = await scan({ scopes: [at("nope"), at("docs")] }, ["FileName"]);
    expect(records.size).toBe(3);
    expect(context.warnings).toMatchObject([{ code: "not-found", path: at("nope") }]);
  });
});

describe("fileCollector under --root", () => {
  it("fileCollector reports paths inside the image and owner names from the image's passwd and group", async () => {
    const image = mkdtempSync(join(tmpdir(), "iocscan-image-"));
    try {
      const uid = process.getuid?.() ?? 0;
      const gid = process.getgid?.() ?? 0;
      mkdirSync(join(image, "etc"));
      mkdirSync(join(image, "usr/bin"), { recursive: true });
      writeFileSync(join(image, "etc/passwd"), `imageuser:x:${uid}:${gid}::/home/imageuser:/bin/sh\n`);
      writeFileSync(join(image, "etc/group"), `imagegroup:x:${gid}:\n`);
      writeFileSync(join(image, "usr/bin/dropper"), "payload");
      // An absolute link in the image points into the image, not at this machine's /usr.
      symlinkSync("/usr/bin", join(image, "bin"));
      const host = createHostView(image);
      const { records } = await scan({ scopes: ["/bin"] }, ["Username", "Group", "Sha1sum"], host);
      expect([...records.values()].map((r) => [r.id, r.fields["FilePath"], r.fields["Username"], r.fields["Group"], r.fields["Sha1sum"]])).toEqual([
        ["/usr/bin/dropper", "usr/bin", "imageuser", "imagegroup", sha("sha1", "payload")],
      ]);
    } finally {
      rmSync(image, { recursive: true, force: true });
    }
  });
});
