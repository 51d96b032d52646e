/**
 * STIX 2.1 and MISP files -> OpenIOC files, for the CLI (`iocscan ioc convert`) and the server's
 * IOC upload: the format told apart by content, the conversion, and the OpenIOC XML.
 *
 * @module
 */
import { ConversionInputError, type ConversionOptions, type ConversionWarning } from "./_conversion.js";
import { mispToIocs } from "./misp/misp-to-ioc.js";
import { writeIoc } from "./openioc-writer.js";
import { stixToIocs } from "./stix/stix-to-ioc.js";

export { ConversionInputError, type ConversionOptions, type ConversionResult, type ConversionWarning, type ConvertedIoc } from "./_conversion.js";

/** What a file holds, told from its content. */
export type DetectedFormat = "openioc" | "stix" | "stix1" | "misp" | "unknown";

/** Formats converted to OpenIOC. */
export type InterchangeFormat = "stix" | "misp";

const STIX1_NAMESPACE = /xmlns(:\w+)?\s*=\s*["']http:\/\/(stix|cybox)\.mitre\.org/;

/**
 * Tells OpenIOC XML, STIX 2.1 JSON, STIX 1.x XML and MISP JSON apart by their content.
 *
 * @example
 * detectFormat('{"type": "bundle", "id": "bundle--…", "objects": []}'); // "stix"
 */
export function detectFormat(text: string): DetectedFormat {
  const start = text.replace(/^\uFEFF/, "").trimStart();
  if (start.startsWith("<")) return STIX1_NAMESPACE.test(start.slice(0, 4096)) ? "stix1" : "openioc";
  if (!start.startsWith("{") && !start.startsWith("[")) return "unknown";
  let json: unknown;
  try {
    json = JSON.parse(start);
  } catch {
    return "unknown";
  }
  return formatOfJson(json);
}

function formatOfJson(json: unknown): DetectedFormat {
  const first: unknown = Array.isArray(json) ? json[0] : json;
  if (typeof first !== "object" || first === null) return "unknown";
  const record = first as Record<string, unknown>;
  if (record["type"] === "bundle" || record["type"] === "indicator") return "stix";
  if ("Event" in record || "response" in record || "Attribute" in record || "Object" in record) return "misp";
  return "unknown";
}

/** One converted IOC as an OpenIOC 1.1 file. */
export interface ConvertedFile {
  readonly fileName: string;
  readonly xml: string;
  readonly iocId: string;
  readonly title: string;
  readonly warnings: readonly ConversionWarning[];
}

/** The OpenIOC files of one STIX or MISP file, and the warnings about what gave no IOC. */
export interface ConvertedFiles {
  readonly format: InterchangeFormat;
  readonly files: readonly ConvertedFile[];
  readonly warnings: readonly ConversionWarning[];
}

/**
 * Converts the text of a STIX 2.1 bundle or a MISP event file to OpenIOC 1.1 files.
 *
 * @throws {ConversionInputError} for text that is not JSON, STIX 1.x, the other format than
 *   `from` says, or breaks its format (JSON path, pattern offset and cause in the message).
 * @example
 * const { files, warnings } = convertToOpenIoc(await readFile("bundle.json", "utf8"), "auto");
 */
export function convertToOpenIoc(text: string, from: InterchangeFormat | "auto", options: ConversionOptions = {}): ConvertedFiles {
  const detected = detectFormat(text);
  if (detected === "stix1") throw new ConversionInputError("$", "STIX 1.x (XML) is not supported: only STIX 2.1 JSON bundles are converted");
  let json: unknown;
  try {
    json = JSON.parse(text.replace(/^\uFEFF/, ""));
  } catch (error) {
    throw new ConversionInputError("$", `not JSON: ${(error as Error).message}`);
  }
  const format = from === "auto" ? detected : from;
  if (format !== "stix" && format !== "misp") throw new ConversionInputError("$", "neither a STIX 2.1 bundle nor a MISP event");
  const result = format === "stix" ? stixToIocs(json, options) : mispToIocs(json, options);
  const files = result.iocs.map((ioc) => ({ fileName: ioc.fileName, xml: writeIoc(ioc.document), iocId: ioc.document.id, title: ioc.document.title, warnings: ioc.warnings }));
  return { format, files, warnings: result.warnings };
}
