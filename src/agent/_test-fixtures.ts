/**
 * Test helper: temp trees with a planted file and an IOC that finds it by MD5, so agent tests
 * run real scans that can only pass when the planted file is really found.
 *
 * @module
 */
import { createHash, randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface PlantedTree {
  /** The temp folder holding everything of one test. */
  readonly work: string;
  /** The folder a task scans. */
  readonly tree: string;
  /** The planted file. */
  readonly implant: string;
  readonly implantBytes: string;
  /** The IOC that finds the implant by MD5. */
  readonly iocId: string;
  readonly iocXml: string;
  /** A quarantine store folder inside `work`. */
  readonly quarantine: string;
}

/** A temp tree with one planted file, a decoy, and an IOC matching the planted file's MD5. */
export function plantTree(prefix = "iocscan-agent-"): PlantedTree {
  const work = mkdtempSync(join(tmpdir(), prefix));
  const tree = join(work, "tree");
  mkdirSync(join(tree, "drop"), { recursive: true });
  const implantBytes = `implant ${randomBytes(8).toString("hex")}`;
  const implant = join(tree, "drop", "implant.bin");
  writeFileSync(implant, implantBytes);
  writeFileSync(join(tree, "decoy.txt"), "nothing to see");
  const md5 = createHash("md5").update(implantBytes).digest("hex");
  const iocId = `agent-test-${randomBytes(4).toString("hex")}`;
  const iocXml =
    `<OpenIOC xmlns="http://openioc.org/schemas/OpenIOC_1.1" id="${iocId}"><metadata><short_description>AGENT TEST IMPLANT</short_description></metadata>` +
    `<criteria><Indicator id="i" operator="OR"><IndicatorItem id="md5" condition="is" preserve-case="false" negate="false">` +
    `<Context document="FileItem" search="FileItem/Md5sum" type="mir"/><Content type="md5">${md5}</Content></IndicatorItem></Indicator></criteria></OpenIOC>`;
  return { work, tree, implant, implantBytes, iocId, iocXml, quarantine: join(work, "quarantine") };
}
