/**
 * Reading MISP event JSON in its three shapes into one normalised form: `{"Event": {…}}` (an
 * export), a bare event (PyMISP dumps) and `{"response": […]}` (REST search results, whose
 * entries are `{"Event": …}`, or loose `{"Object": …}` / `{"Attribute": …}`). A top-level array
 * of events is read too.
 *
 * @module
 */
import { ConversionInputError, isTruthy } from "../_conversion.js";

/** One attribute, wherever it was (event or object), with its JSON path for messages. */
export interface MispAttribute {
  readonly uuid: string;
  readonly type: string;
  readonly category: string;
  readonly value: string;
  readonly toIds: boolean;
  /** Inside an object: the member's role (`filename`, `ip`, `dst-port`). */
  readonly objectRelation?: string;
  readonly path: string;
}

export interface MispObject {
  readonly uuid: string;
  readonly name: string;
  readonly attributes: readonly MispAttribute[];
  readonly path: string;
}

export interface MispEvent {
  /** Empty for loose objects and attributes of a search result. */
  readonly uuid: string;
  readonly info: string;
  /** `YYYY-MM-DD`. */
  readonly date?: string;
  /** Seconds since the epoch. */
  readonly timestamp?: number;
  readonly org?: string;
  readonly tags: readonly string[];
  readonly attributes: readonly MispAttribute[];
  readonly objects: readonly MispObject[];
  readonly path: string;
}

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json => typeof value === "object" && value !== null && !Array.isArray(value);
const str = (value: unknown): string => (typeof value === "string" ? value : typeof value === "number" ? String(value) : "");

/** Looks like a bare event: the keys every MISP event has. */
function isBareEvent(value: Json): boolean {
  return "Attribute" in value || "Object" in value || ("info" in value && "uuid" in value);
}

/**
 * The events of a parsed MISP JSON file.
 *
 * @throws {ConversionInputError} naming the JSON path when the input has none of the shapes.
 * @example
 * const events = readMispEvents(JSON.parse(text));
 */
export function readMispEvents(input: unknown): MispEvent[] {
  if (Array.isArray(input)) return input.flatMap((entry: unknown, i) => readMispEvents(entry).map((e) => ({ ...e, path: `$[${i}]${e.path.slice(1)}` })));
  if (!isObject(input)) throw new ConversionInputError("$", "a MISP file must be a JSON object or array");
  if (isObject(input["Event"])) return [readEvent(input["Event"], "$.Event")];
  if ("response" in input) return readResponse(input["response"]);
  if (isBareEvent(input)) return [readEvent(input, "$")];
  throw new ConversionInputError("$", 'not a MISP event: expected {"Event": {…}}, a bare event with "Attribute"/"Object", or {"response": […]}');
}

function readResponse(response: unknown): MispEvent[] {
  if (!Array.isArray(response)) throw new ConversionInputError("$.response", "expected an array of search results");
  const events: MispEvent[] = [];
  const looseAttributes: MispAttribute[] = [];
  const looseObjects: MispObject[] = [];
  response.forEach((entry: unknown, i) => {
    const path = `$.response[${i}]`;
    if (!isObject(entry)) throw new ConversionInputError(path, "expected an object with Event, Object or Attribute");
    if (isObject(entry["Event"])) events.push(readEvent(entry["Event"], `${path}.Event`));
    else if (isObject(entry["Object"])) looseObjects.push(readObject(entry["Object"], `${path}.Object`));
    else if (isObject(entry["Attribute"])) looseAttributes.push(readAttribute(entry["Attribute"], `${path}.Attribute`));
    else throw new ConversionInputError(path, "expected an object with Event, Object or Attribute");
  });
  if (looseAttributes.length > 0 || looseObjects.length > 0) {
    events.push({ uuid: "", info: "", tags: [], attributes: looseAttributes, objects: looseObjects, path: "$.response" });
  }
  return events;
}

function readEvent(event: Json, path: string): MispEvent {
  const attributes = listAt(event, "Attribute", path).map((a, i) => readAttribute(a, `${path}.Attribute[${i}]`));
  const objects = listAt(event, "Object", path).map((o, i) => readObject(o, `${path}.Object[${i}]`));
  const tags = listAt(event, "Tag", path)
    .map((t) => str(t["name"]))
    .filter((t) => t !== "");
  const orgc = event["Orgc"];
  const timestamp = Number(str(event["timestamp"]));
  return {
    uuid: str(event["uuid"]),
    info: str(event["info"]),
    ...(str(event["date"]) ? { date: str(event["date"]) } : {}),
    ...(Number.isFinite(timestamp) && timestamp > 0 ? { timestamp } : {}),
    ...(isObject(orgc) && str(orgc["name"]) ? { org: str(orgc["name"]) } : {}),
    tags,
    attributes,
    objects,
    path,
  };
}

function readObject(object: Json, path: string): MispObject {
  return {
    uuid: str(object["uuid"]),
    name: str(object["name"]),
    attributes: listAt(object, "Attribute", path).map((a, i) => readAttribute(a, `${path}.Attribute[${i}]`)),
    path,
  };
}

function readAttribute(attribute: Json, path: string): MispAttribute {
  const type = str(attribute["type"]);
  if (type === "") throw new ConversionInputError(`${path}.type`, "an attribute needs a type");
  const relation = str(attribute["object_relation"]);
  return {
    uuid: str(attribute["uuid"]),
    type,
    category: str(attribute["category"]),
    value: str(attribute["value"]),
    toIds: isTruthy(attribute["to_ids"]),
    ...(relation ? { objectRelation: relation } : {}),
    path,
  };
}

function listAt(holder: Json, key: string, path: string): Json[] {
  const list = holder[key];
  if (list === undefined || list === null) return [];
  if (!Array.isArray(list)) throw new ConversionInputError(`${path}.${key}`, "expected an array");
  return list.map((entry: unknown, i) => {
    if (!isObject(entry)) throw new ConversionInputError(`${path}.${key}[${i}]`, "expected an object");
    return entry;
  });
}
