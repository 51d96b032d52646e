/**
 * `iocscan ioc convert`: STIX 2.1 bundles and MISP events -> OpenIOC 1.1 files (`--from`), and
 * OpenIOC files -> one STIX 2.1 bundle (`--to stix`). Warnings go to stderr; the exit status is
 * 0 when something was converted, 2 on bad input or when nothing could be converted.
 *
 * Several IOCs (a bundle with many indicators) are written one file each, `<IOC id>.ioc`, into
 * the `--output` folder: exactly what `iocscan scan --ioc DIR` reads.
 *
 * @module
 */
import { readFile, stat, writeFile } from "node:fs/promises";
import { basename, join } from "node:path";
import { Option, type Command } from "commander";
import { parseIoc, type IocDocument } from "../../core/ioc/index.js";
import { ConversionInputError, convertToOpenIoc, type ConversionWarning, type ConvertedFile, type InterchangeFormat } from "../../formats/interchange.js";
import { iocsToStixBundle } from "../../formats/stix/index.js";
import type { CliRun } from "../program.js";
import { makeFolderSync } from "../../shared/make-folder.js";
import { escapeForTerminal, quoteForTerminal } from "../../shared/terminal-text.js";

interface ConvertFlags {
  from?: InterchangeFormat;
  to: "openioc" | "stix";
  output?: string;
}

/** Input files larger than this are refused (a MISP dump of a whole instance is not an IOC). */
const MAX_INPUT_BYTES = 64 * 1024 * 1024;

/** A problem that ends the command with exit status 2. */
class BadInput extends Error {}

/** Registers `ioc convert` under `ioc`. */
export function registerIocConvert(ioc: Command, run: CliRun): void {
  ioc
    .command("convert")
    .description("Convert STIX 2.1 bundles and MISP events to OpenIOC 1.1 (--from), or OpenIOC files to a STIX 2.1 bundle (--to stix)")
    .argument("<files...>", "input files: STIX/MISP JSON with --from, OpenIOC files with --to stix")
    .addOption(new Option("--from <format>", "format of the input files").choices(["stix", "misp"]))
    .addOption(new Option("--to <format>", "format to write").choices(["openioc", "stix"]).default("openioc"))
    .option("-o, --output <path>", "--from: a folder for the .ioc files (created if missing), or one .ioc file when the input gives one IOC; --to stix: the bundle file. Default: stdout")
    .action(async (files: string[], flags: ConvertFlags) => {
      try {
        if (flags.to === "stix") {
          if (flags.from !== undefined) throw new BadInput("--from and --to stix do not go together: STIX and MISP convert to OpenIOC, OpenIOC to STIX");
          await toStix(files, flags.output);
        } else {
          if (flags.from === undefined) throw new BadInput("say what the input is: --from stix or --from misp (or --to stix for OpenIOC input)");
          await fromInterchange(files, flags.from, flags.output);
        }
        run.exitCode = 0;
      } catch (error) {
        if (!(error instanceof BadInput)) throw error;
        process.stderr.write(`iocscan: ${escapeForTerminal(error.message)}\n`);
        run.exitCode = 2;
      }
    });
}

async function readInput(file: string): Promise<string> {
  try {
    const info = await stat(file);
    if (info.size > MAX_INPUT_BYTES) throw new BadInput(`cannot convert "${file}": larger than ${MAX_INPUT_BYTES} bytes`);
    return await readFile(file, "utf8");
  } catch (error) {
    if (error instanceof BadInput) throw error;
    throw new BadInput(`cannot read "${file}": ${(error as Error).message}`);
  }
}

function printWarnings(file: string, warnings: readonly ConversionWarning[]): void {
  for (const w of warnings) process.stderr.write(`${escapeForTerminal(`warning: ${file}: ${w.source}: ${w.message}`)}\n`);
}

async function fromInterchange(inputs: readonly string[], from: InterchangeFormat, output: string | undefined): Promise<void> {
  const converted: ConvertedFile[] = [];
  for (const input of inputs) {
    const text = await readInput(input);
    try {
      const result = convertToOpenIoc(text, from, { now: new Date() });
      printWarnings(input, result.warnings);
      for (const file of result.files) printWarnings(input, file.warnings);
      process.stderr.write(`${quoteForTerminal(input)}: ${result.files.length} IOC${result.files.length === 1 ? "" : "s"} from ${from === "stix" ? "STIX 2.1" : "MISP"}, ${result.warnings.length} skipped\n`);
      converted.push(...result.files);
    } catch (error) {
      if (error instanceof ConversionInputError) throw new BadInput(`cannot convert "${input}": ${error.message}`);
      throw error;
    }
  }
  if (converted.length === 0) throw new BadInput("nothing to write: no indicator could be converted (see the warnings above)");
  if (output === undefined) {
    if (converted.length > 1) throw new BadInput(`the input gives ${converted.length} IOCs: give a folder with --output DIR (one .ioc file each)`);
    process.stdout.write(converted[0]?.xml ?? "");
    return;
  }
  if (/\.(ioc|xml)$/i.test(output) && !(await isDirectory(output))) {
    if (converted.length > 1) throw new BadInput(`the input gives ${converted.length} IOCs: --output must be a folder, not "${basename(output)}"`);
    await writeFile(output, converted[0]?.xml ?? "", "utf8");
    return;
  }
  makeFolderSync(output);
  for (const file of converted) await writeFile(join(output, file.fileName), file.xml, "utf8");
  process.stderr.write(`wrote ${converted.length} .ioc file${converted.length === 1 ? "" : "s"} to ${quoteForTerminal(output)}\n`);
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}

async function toStix(inputs: readonly string[], output: string | undefined): Promise<void> {
  const documents: IocDocument[] = [];
  for (const input of inputs) {
    const parsed = parseIoc(new TextEncoder().encode(await readInput(input)));
    const firstError = parsed.diagnostics.find((d) => d.severity === "error");
    if (parsed.document === undefined || firstError !== undefined) {
      const where = firstError ? `:${firstError.line}:${firstError.column}` : "";
      throw new BadInput(`cannot convert "${input}${where}": ${firstError?.message ?? "not an OpenIOC file"}`);
    }
    documents.push(parsed.document);
  }
  const { bundle, warnings } = iocsToStixBundle(documents, { now: new Date() });
  printWarnings(inputs.length === 1 ? (inputs[0] ?? "") : "(input)", warnings);
  if (bundle.objects.length === 0) throw new BadInput("nothing to write: no IOC could be expressed as a STIX pattern (see the warnings above)");
  const json = `${JSON.stringify(bundle, null, 2)}\n`;
  if (output === undefined) process.stdout.write(json);
  else await writeFile(output, json, "utf8");
  process.stderr.write(`${bundle.objects.length} STIX indicator${bundle.objects.length === 1 ? "" : "s"} from ${documents.length} IOC file${documents.length === 1 ? "" : "s"}\n`);
}
