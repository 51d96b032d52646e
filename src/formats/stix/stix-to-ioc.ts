/**
 * STIX 2.1 bundle -> OpenIOC 1.1 documents: one IOC per `indicator` whose `pattern_type` is
 * `stix`. Other objects (malware, relationships, observed-data …) describe context, not tests,
 * and are not converted; indicators of other pattern types (yara, snort, sigma …) are reported.
 *
 * @module
 */
import type { IocDocument } from "../../core/ioc/model.js";
import { ConversionInputError, type ConversionOptions, type ConversionResult, type ConversionWarning, type ConvertedIoc } from "../_conversion.js";
import { buildDocument, IocBuilder } from "../_ioc-build.js";
import { patternToTree } from "./_pattern-to-tree.js";
import { parseStixPattern, StixPatternError } from "./pattern-parser.js";

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => typeof value === "object" && value !== null && !Array.isArray(value);
const text = (value: unknown): string | undefined => (typeof value === "string" && value !== "" ? value : undefined);

/**
 * Converts a parsed STIX 2.1 bundle (or a single indicator object) to OpenIOC documents.
 *
 * @throws {ConversionInputError} for input that is not a bundle, or an indicator whose pattern
 *   does not parse (with the JSON path and the offset in the pattern).
 * @example
 * const { iocs, warnings } = stixToIocs(JSON.parse(await readFile("bundle.json", "utf8")));
 * for (const ioc of iocs) await writeFile(ioc.fileName, writeIoc(ioc.document));
 */
export function stixToIocs(input: unknown, options: ConversionOptions = {}): ConversionResult {
  const objects = bundleObjects(input);
  const identities = new Map<string, string>();
  for (const object of objects) if (isObject(object) && object["type"] === "identity" && text(object["id"]) && text(object["name"])) identities.set(String(object["id"]), String(object["name"]));
  const iocs: ConvertedIoc[] = [];
  const warnings: ConversionWarning[] = [];
  objects.forEach((object, index) => {
    if (!isObject(object) || object["type"] !== "indicator") return;
    const path = isObject(input) && input["type"] === "bundle" ? `$.objects[${index}]` : "$";
    const converted = convertIndicator(object, path, identities, options);
    if ("skipped" in converted) warnings.push(converted.skipped);
    else iocs.push(converted);
  });
  if (iocs.length === 0 && warnings.length === 0) warnings.push({ code: "no-indicators", message: "the bundle has no indicator objects", source: "$" });
  return { iocs, warnings };
}

function bundleObjects(input: unknown): unknown[] {
  if (!isObject(input)) throw new ConversionInputError("$", "a STIX 2.1 bundle must be a JSON object");
  if (input["type"] === "indicator") return [input];
  if (input["type"] !== "bundle") throw new ConversionInputError("$.type", `expected "bundle", found ${JSON.stringify(input["type"]) ?? "nothing"}`);
  const objects = input["objects"];
  if (objects === undefined) return [];
  if (!Array.isArray(objects)) throw new ConversionInputError("$.objects", "expected an array of STIX objects");
  return objects as unknown[];
}

function convertIndicator(indicator: Json, path: string, identities: ReadonlyMap<string, string>, options: ConversionOptions): ConvertedIoc | { skipped: ConversionWarning } {
  const stixId = text(indicator["id"]);
  if (stixId === undefined || !stixId.startsWith("indicator--")) throw new ConversionInputError(`${path}.id`, 'an indicator needs an id "indicator--<uuid>"');
  const patternType = indicator["pattern_type"] ?? "stix"; // STIX 2.0 indicators have no pattern_type
  if (patternType !== "stix") {
    return { skipped: { code: "pattern-type-skipped", message: `indicator skipped: pattern_type ${JSON.stringify(patternType)} is not a STIX pattern`, source: stixId } };
  }
  const pattern = indicator["pattern"];
  if (typeof pattern !== "string") throw new ConversionInputError(`${path}.pattern`, "an indicator needs a pattern string");
  let expression;
  try {
    expression = parseStixPattern(pattern);
  } catch (error) {
    if (error instanceof StixPatternError) throw new ConversionInputError(`${path}.pattern`, error.message, error.offset);
    throw error;
  }
  const iocId = stixId.slice("indicator--".length);
  const builder = new IocBuilder(iocId);
  const warnings: ConversionWarning[] = [];
  const tree = patternToTree(expression, builder, (code, message, offset) => {
    warnings.push({ code, message: `${message} (pattern offset ${offset})`, source: stixId });
  });
  if (tree === undefined) {
    const reasons = warnings.map((w) => w.message).join("; ");
    return { skipped: { code: "indicator-skipped", message: `indicator skipped: nothing of its pattern can be expressed in OpenIOC (${reasons})`, source: stixId } };
  }
  const labels = [...stringList(indicator["labels"]), ...stringList(indicator["indicator_types"])];
  const created = text(indicator["created"]);
  const document: IocDocument = buildDocument(
    {
      id: iocId,
      title: text(indicator["name"]) ?? stixId,
      description: text(indicator["description"]),
      keywords: labels.length > 0 ? labels.join(", ") : undefined,
      authoredBy: identities.get(text(indicator["created_by_ref"]) ?? ""),
      authoredDate: created,
      lastModified: text(indicator["modified"]) ?? created ?? options.now?.toISOString().replace(/\.\d{3}Z$/, "Z"),
    },
    tree,
    builder,
  );
  return { document, fileName: `${iocId}.ioc`, warnings };
}

function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string" && v !== "") : [];
}
