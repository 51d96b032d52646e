/**
 * OpenIOC documents -> a STIX 2.1 bundle: one `indicator` per IOC, its pattern rebuilt from the
 * indicator tree. Items of one object (all FileItem tests under an AND) go into one
 * observation `[ … AND … ]`; items about different objects become observations joined with the
 * group's AND/OR. What STIX cannot express is reported: dropped from an OR, and an AND that
 * needs it is dropped whole (never a pattern that matches more than the IOC).
 *
 * Ids are deterministic: an IOC whose id is a UUID (every IOC converted from STIX) keeps it as
 * `indicator--<id>`, so STIX -> OpenIOC -> STIX gives the same ids back; any other id gives a
 * version-5 UUID of itself.
 *
 * @module
 */
import type { Indicator, IndicatorItem, IndicatorNode, IocDocument } from "../../core/ioc/model.js";
import { forEachItem } from "../../core/ioc/model.js";
import { lookupTerm } from "../../core/vocabulary/index.js";
import type { ConversionWarning } from "../_conversion.js";
import { isUuid, uuid5 } from "../_uuid5.js";
import { stixPathOfTerm, type ObjectGroup } from "./object-paths.js";
import type { StixComparison, StixComparisonExpression, StixLiteral, StixObjectPath, StixOperator, StixPatternExpression } from "./pattern-ast.js";
import { parseStixPattern } from "./pattern-parser.js";
import { printStixPattern } from "./pattern-print.js";

/** Options of {@link iocsToStixBundle}. */
export interface StixExportOptions {
  /** `created` of IOCs without an authored date; without it, the Unix epoch (the clock is never read). */
  readonly now?: Date;
}

/** A STIX 2.1 bundle and what could not be carried over. */
export interface StixExportResult {
  readonly bundle: { readonly type: "bundle"; readonly id: string; readonly objects: readonly Record<string, unknown>[] };
  readonly warnings: readonly ConversionWarning[];
}

type Warn = (message: string, node: IndicatorNode) => void;

/**
 * Converts OpenIOC documents to one STIX 2.1 bundle.
 *
 * @example
 * const { bundle, warnings } = iocsToStixBundle([parseIoc(xml).document!], { now: new Date() });
 * console.log(JSON.stringify(bundle, null, 2));
 */
export function iocsToStixBundle(documents: readonly IocDocument[], options: StixExportOptions = {}): StixExportResult {
  const objects: Record<string, unknown>[] = [];
  const warnings: ConversionWarning[] = [];
  for (const doc of documents) {
    const source = doc.id || doc.title || "(IOC without id)";
    const warn: Warn = (message, node) => warnings.push({ code: "not-expressible", message: `${node.kind === "item" ? "item" : "indicator"} "${node.id}": ${message}`, source });
    const pattern = doc.criteria === undefined ? undefined : nodeToPattern(doc.criteria, warn);
    if (pattern === undefined) {
      warnings.push({ code: "ioc-skipped", message: "IOC skipped: nothing of its indicator tree can be expressed as a STIX pattern", source });
      continue;
    }
    objects.push(indicatorObject(doc, printStixPattern(pattern), options));
  }
  const ids = objects.map((o) => String(o["id"])).sort();
  return { bundle: { type: "bundle", id: `bundle--${uuid5(ids.join("\n"))}`, objects }, warnings };
}

function indicatorObject(doc: IocDocument, pattern: string, options: StixExportOptions): Record<string, unknown> {
  const created = stixTimestamp(doc.authoredDate) ?? stixTimestamp(doc.lastModified) ?? (options.now ?? new Date(0)).toISOString();
  const modified = stixTimestamp(doc.lastModified) ?? created;
  const labels = doc.keywords?.split(/,\s*/).filter((k) => k !== "") ?? [];
  return {
    type: "indicator",
    spec_version: "2.1",
    id: `indicator--${isUuid(doc.id) ? doc.id.toLowerCase() : uuid5(doc.id || doc.title)}`,
    created,
    modified: modified < created ? created : modified,
    ...(doc.title ? { name: doc.title } : {}),
    ...(doc.description ? { description: doc.description } : {}),
    pattern,
    pattern_type: "stix",
    pattern_version: "2.1",
    valid_from: created,
    ...(labels.length > 0 ? { labels } : {}),
  };
}

const STIX_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

/** A STIX timestamp (UTC, `Z`) for an OpenIOC date; a date without a zone is read as UTC. */
function stixTimestamp(date: string | undefined): string | undefined {
  if (date === undefined || date === "") return undefined;
  if (STIX_TIMESTAMP.test(date)) return date;
  const zoned = /([zZ]|[+-]\d{2}:?\d{2})$/.test(date) ? date : `${date}Z`;
  const time = Date.parse(zoned);
  return Number.isNaN(time) ? undefined : new Date(time).toISOString();
}

function nodeToPattern(node: IndicatorNode, warn: Warn): StixPatternExpression | undefined {
  if (node.kind === "item") {
    const comparison = itemToComparison(node, false, warn);
    return comparison && observation(comparison);
  }
  const group = singleGroup(node);
  if (group !== undefined) {
    const comparisons = nodeToComparisons(node, false, warn);
    return comparisons && observation(comparisons);
  }
  // Items about different objects: one observation per object group (where the group first
  // appears), nested indicators apart.
  const slots: (IndicatorItem[] | IndicatorNode)[] = [];
  const byGroup = new Map<ObjectGroup, IndicatorItem[]>();
  for (const child of node.children) {
    const childGroup = child.kind === "item" ? stixPathOfTerm(child.term)?.group : undefined;
    if (child.kind === "item" && childGroup !== undefined) {
      let list = byGroup.get(childGroup);
      if (list === undefined) {
        list = [];
        byGroup.set(childGroup, list);
        slots.push(list);
      }
      list.push(child);
    } else {
      slots.push(child);
    }
  }
  const parts = slots.map((slot): StixPatternExpression | undefined => {
    if (!Array.isArray(slot)) return nodeToPattern(slot, warn);
    const networkTraffic = slot.some(isRemotePort) && node.operator === "AND";
    const joined = joinComparisons(node.operator, slot.map((item) => itemToComparison(item, networkTraffic, warn)));
    return joined && observation(joined);
  });
  return joinObservations(node, parts, warn);
}

function joinComparisons(operator: "AND" | "OR", parts: readonly (StixComparisonExpression | undefined)[]): StixComparisonExpression | undefined {
  const kept = parts.filter((p): p is StixComparisonExpression => p !== undefined);
  if (kept.length === 0 || (operator === "AND" && kept.length < parts.length)) return undefined;
  return kept.length === 1 ? kept[0] : { kind: operator === "AND" ? "and" : "or", operands: kept, offset: 0 };
}

function joinObservations(node: Indicator, parts: readonly (StixPatternExpression | undefined)[], warn: Warn): StixPatternExpression | undefined {
  const kept = parts.filter((p): p is StixPatternExpression => p !== undefined);
  if (node.operator === "AND" && kept.length < parts.length) {
    warn("an AND with a part STIX cannot express is dropped whole", node);
    return undefined;
  }
  if (kept.length === 0) return undefined;
  return kept.length === 1 ? kept[0] : { kind: node.operator === "AND" ? "and" : "or", operands: kept, offset: 0 };
}

/**
 * Comparisons of a subtree about one object. `networkTraffic`: an address under an AND that also
 * tests a port is a connection's (`network-traffic:dst_ref.value`), not a bare `ipv4-addr`, since
 * the comparisons ANDed in one `[ ]` must be about one object.
 */
function nodeToComparisons(node: IndicatorNode, networkTraffic: boolean, warn: Warn): StixComparisonExpression | undefined {
  if (node.kind === "item") return itemToComparison(node, networkTraffic, warn);
  const traffic = networkTraffic || (node.operator === "AND" && hasRemotePort(node));
  const parts = node.children.map((child) => nodeToComparisons(child, traffic, warn));
  const joined = joinComparisons(node.operator, parts);
  if (joined === undefined && node.operator === "AND") warn("an AND with a part STIX cannot express is dropped whole", node);
  return joined;
}

/** The object group shared by every item under `node`; undefined when they differ or one has none. */
function singleGroup(node: IndicatorNode): ObjectGroup | undefined {
  const groups = new Set<ObjectGroup | undefined>();
  forEachItem(node, (item) => groups.add(stixPathOfTerm(item.term)?.group));
  const [only] = groups;
  return groups.size === 1 ? only : undefined;
}

const isRemotePort = (item: IndicatorItem): boolean => item.term.toLowerCase() === "portitem/remoteport";

function hasRemotePort(node: IndicatorNode): boolean {
  let found = false;
  forEachItem(node, (item) => (found ||= isRemotePort(item)));
  return found;
}

const observation = (expression: StixComparisonExpression): StixPatternExpression => ({ kind: "observation", expression, offset: 0 });

const pathCache = new Map<string, StixObjectPath>();

/** The parsed form of a path written in the table as text. */
function objectPath(text: string): StixObjectPath {
  let path = pathCache.get(text);
  if (path === undefined) {
    const parsed = parseStixPattern(`[${text} = 0]`);
    if (parsed.kind !== "observation" || parsed.expression.kind !== "comparison") throw new Error(`Bug: object path "${text}" does not parse`);
    path = parsed.expression.path;
    pathCache.set(text, path);
  }
  return path;
}

const REGEX_SPECIAL = /[\\^$.*+?()[\]{}|]/g;

function itemToComparison(item: IndicatorItem, networkTraffic: boolean, warn: Warn): StixComparison | undefined {
  const mapped = stixPathOfTerm(item.term);
  if (mapped === undefined) {
    warn(`"${item.term}" has no STIX 2.1 object path`, item);
    return undefined;
  }
  let pathText = mapped.path;
  if (mapped.group === "port" && !isRemotePort(item)) pathText = networkTraffic ? "network-traffic:dst_ref.value" : item.value.includes(":") ? "ipv6-addr:value" : "ipv4-addr:value";
  const type = lookupTerm(item.term)?.type;
  const numeric = type === "int" || type === "uint64";
  const value = item.value;
  const make = (operator: StixOperator, literal: StixLiteral, negated = item.negate): StixComparison => ({
    kind: "comparison",
    path: objectPath(pathText),
    negated,
    operator,
    value: literal,
    offset: 0,
  });
  const str = (v: string): StixLiteral => ({ kind: "string", value: v });
  const wildcard = /[%_]/.test(value);
  const escaped = value.replace(REGEX_SPECIAL, "\\$&");
  switch (item.condition) {
    case "is":
      if (/\sTO\s/.test(value)) {
        warn(`the range "${value}" is not converted`, item);
        return undefined;
      }
      if (numeric) {
        if (!/^-?\d+$/.test(value.trim())) {
          warn(`"${value}" is not an integer`, item);
          return undefined;
        }
        return make(item.negate ? "!=" : "=", { kind: "int", value: Number(value.trim()) }, false);
      }
      return make(item.negate ? "!=" : "=", str(value), false);
    case "contains":
      return wildcard ? make("MATCHES", str(escaped)) : make("LIKE", str(`%${value}%`));
    case "starts-with":
      return wildcard ? make("MATCHES", str(`^${escaped}`)) : make("LIKE", str(`${value}%`));
    case "ends-with":
      return wildcard ? make("MATCHES", str(`${escaped}$`)) : make("LIKE", str(`%${value}`));
    case "matches":
      return make("MATCHES", str(value));
    case "greater-than":
    case "less-than": {
      const literal: StixLiteral = numeric && /^-?\d+$/.test(value.trim()) ? { kind: "int", value: Number(value.trim()) } : str(value);
      return make(item.condition === "greater-than" ? ">" : "<", literal);
    }
  }
}
