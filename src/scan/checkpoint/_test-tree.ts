/**
 * A temp tree for checkpoint tests: many small files in nested folders, some of them planted
 * (matched by an MD5 IOC so that every file must be hashed), and the IOC file. Also the part of a
 * report that must not depend on interruptions.
 */
import { createHash } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { ScanReport } from "../../core/report/index.js";

export interface TestTree {
  readonly root: string;
  readonly tree: string;
  readonly ioc: string;
  readonly planted: readonly string[];
}

/** Writes `files` files under `<root>/tree` (every `plantEvery`-th one planted) and `<root>/hash.ioc`. */
export function writeTestTree(root: string, files: number, plantEvery = 97): TestTree {
  const tree = join(root, "tree");
  const planted: string[] = [];
  const evil = "planted implant bytes\n";
  for (let i = 0; i < files; i++) {
    const folder = join(tree, `d${i % 13}`, `e${i % 7}`);
    mkdirSync(folder, { recursive: true });
    const path = join(folder, `f${i}.bin`);
    if (i % plantEvery === 5) {
      writeFileSync(path, evil);
      planted.push(path);
    } else writeFileSync(path, `ordinary file ${i}\n`);
  }
  const md5 = createHash("md5").update(evil).digest("hex");
  const ioc = join(root, "hash.ioc");
  writeFileSync(
    ioc,
    `<OpenIOC xmlns="http://openioc.org/schemas/OpenIOC_1.1" id="checkpoint-test"><metadata><short_description>CHECKPOINT TEST</short_description></metadata><criteria><Indicator id="t" operator="OR">` +
      `<IndicatorItem id="m" condition="is"><Context document="FileItem" search="FileItem/Md5sum" type="mir"/><Content type="md5">${md5}</Content></IndicatorItem>` +
      `</Indicator></criteria></OpenIOC>`,
  );
  return { root, tree, ioc, planted };
}

/** What an interrupted and resumed scan must report exactly as an uninterrupted one. */
export function essentials(report: ScanReport, replace?: { from: string; to: string }): unknown {
  const text = (s: string): string => (replace ? s.split(replace.from).join(replace.to) : s);
  return {
    iocs: report.iocs.map((i) => ({ ...i, file: text(i.file) })),
    detections: report.detections
      .map((d) => ({
        ...d,
        iocFile: text(d.iocFile),
        objects: d.objects.map((o) => ({ ...o, id: text(o.id), fields: JSON.parse(text(JSON.stringify(o.fields))) as unknown })).sort((a, b) => a.id.localeCompare(b.id)),
        actions: d.actions.map((a) => ({ type: a.type, status: a.status, objectId: text(a.objectId ?? "") })).sort((a, b) => a.objectId.localeCompare(b.objectId)),
      }))
      .sort((a, b) => a.iocId.localeCompare(b.iocId)),
    warnings: report.warnings.map((w) => ({ ...w, message: text(w.message), ...(w.path ? { path: text(w.path) } : {}) })),
    coverage: report.coverage,
  };
}
