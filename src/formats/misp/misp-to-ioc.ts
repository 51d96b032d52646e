/**
 * MISP events -> OpenIOC 1.1 documents: one IOC per event, an OR over its indicators. Only
 * attributes (event-level or object members) with `to_ids` set and of an indicator category
 * are taken (non-`to_ids` attributes are context by MISP's own definition); of those, every one
 * OpenIOC has no term for is reported with its uuid.
 *
 * Objects: the members of one object that test one host object (a `file` object's name, hashes
 * and size) are ANDed; members about different objects (a `domain-ip` object's domain and IP)
 * are ORed, since either being seen on a host is the indication.
 *
 * @module
 */
import type { IndicatorNode } from "../../core/ioc/model.js";
import type { ConversionOptions, ConversionResult, ConversionWarning, ConvertedIoc } from "../_conversion.js";
import { buildDocument, IocBuilder } from "../_ioc-build.js";
import { isUuid, uuid5 } from "../_uuid5.js";
import { attributeItems, CONVERTED_OBJECTS, INDICATOR_CATEGORIES } from "./attribute-terms.js";
import { readMispEvents, type MispAttribute, type MispEvent, type MispObject } from "./misp-events.js";

const isIndicator = (a: MispAttribute): boolean => a.toIds && INDICATOR_CATEGORIES.has(a.category);

/**
 * Converts a parsed MISP JSON file (any of the three shapes) to OpenIOC documents.
 *
 * @throws {ConversionInputError} when the input is not MISP event JSON (with the JSON path).
 * @example
 * const { iocs, warnings } = mispToIocs(JSON.parse(await readFile("event.json", "utf8")));
 */
export function mispToIocs(input: unknown, options: ConversionOptions = {}): ConversionResult {
  const iocs: ConvertedIoc[] = [];
  const warnings: ConversionWarning[] = [];
  for (const event of readMispEvents(input)) {
    const converted = convertEvent(event, options);
    if ("skipped" in converted) warnings.push(converted.skipped);
    else iocs.push(converted);
  }
  return { iocs, warnings };
}

function eventId(event: MispEvent): string {
  if (isUuid(event.uuid)) return event.uuid.toLowerCase();
  const members = [...event.attributes.map((a) => a.uuid), ...event.objects.map((o) => o.uuid)].sort();
  return uuid5(`misp:${event.uuid}:${members.join(",")}`);
}

function convertEvent(event: MispEvent, options: ConversionOptions): ConvertedIoc | { skipped: ConversionWarning } {
  const id = eventId(event);
  const source = event.uuid || event.path;
  const builder = new IocBuilder(id);
  const warnings: ConversionWarning[] = [];
  const unsupported = (a: MispAttribute, why: string): void => {
    warnings.push({ code: "unsupported-attribute", message: `attribute ${a.uuid || a.path} (${a.type} "${a.value}") not converted: ${why}`, source });
  };
  const nodes: IndicatorNode[] = [];
  for (const attribute of event.attributes.filter(isIndicator)) {
    const items = attributeItems(attribute.type, attribute.value);
    if (items === undefined) unsupported(attribute, `OpenIOC has no term for the MISP type "${attribute.type}"`);
    else nodes.push(builder.group("AND", items.map((spec) => builder.item(spec))));
  }
  for (const object of event.objects) {
    const node = convertObject(object, builder, unsupported);
    if (node !== undefined) nodes.push(node);
  }
  if (nodes.length === 0) {
    const why = warnings.length > 0 ? ` (${warnings.map((w) => w.message).join("; ")})` : "";
    return { skipped: { code: "event-skipped", message: `event "${event.info}" skipped: no to_ids attribute of an indicator category that OpenIOC can express${why}`, source } };
  }
  const modified = event.timestamp === undefined ? options.now : new Date(event.timestamp * 1000);
  const document = buildDocument(
    {
      id,
      title: event.info || `MISP ${event.uuid ? `event ${event.uuid}` : "search result"}`,
      description: event.info ? `MISP event ${event.uuid}: ${event.info}` : undefined,
      keywords: event.tags.length > 0 ? event.tags.join(", ") : undefined,
      authoredBy: event.org,
      authoredDate: event.date === undefined ? undefined : `${event.date}T00:00:00Z`,
      lastModified: modified?.toISOString().replace(/\.\d{3}Z$/, "Z"),
    },
    builder.group("OR", nodes),
    builder,
  );
  return { document, fileName: `${id}.ioc`, warnings };
}

function convertObject(object: MispObject, builder: IocBuilder, unsupported: (a: MispAttribute, why: string) => void): IndicatorNode | undefined {
  const members = object.attributes.filter(isIndicator);
  if (members.length === 0) return undefined;
  if (!CONVERTED_OBJECTS.has(object.name)) {
    for (const member of members) unsupported(member, `members of a MISP "${object.name}" object are not converted`);
    return undefined;
  }
  const items = [];
  for (const member of members) {
    const specs = attributeItems(member.type, member.value, { name: object.name, relation: member.objectRelation });
    if (specs === undefined) unsupported(member, `OpenIOC has no term for "${member.objectRelation ?? member.type}" of a "${object.name}" object`);
    else items.push(...specs.map((spec) => builder.item(spec)));
  }
  if (items.length === 0) return undefined;
  const documents = new Set(items.map((item) => item.document));
  return builder.group(documents.size === 1 ? "AND" : "OR", items);
}
