/**
 * Whether one IndicatorItem can be evaluated on a platform, and if not, why. The checker counts
 * "supported items" with it and the compiler marks unsupported items UNKNOWN with the same reason,
 * so `iocscan ioc check` and a scan never disagree.
 *
 * @module
 */
import {
  conditionApplies,
  eventTermMapping,
  isCollected,
  isEventDocument,
  lookupTerm,
  type EventTermMapping,
  type Platform,
  type TermInfo,
} from "../vocabulary/index.js";
import type { DiagnosticCode } from "./diagnostics.js";
import { isKnownCondition, type IndicatorItem } from "./model.js";

/** Switches that change what an item means. */
export interface ItemSupportOptions {
  /** The platform the IOC will be evaluated on (default "linux"). */
  readonly platform?: Platform;
  /** Read FireEye HX event terms as host-state terms (default true). */
  readonly mapEvents?: boolean;
  /** Read `Network/DNS` as a DNS entry's host name (default false). */
  readonly mapNetworkTerms?: boolean;
}

/** The host-state term `Network/DNS` is read as with `mapNetworkTerms`. */
export const NETWORK_DNS_TARGET = "DnsEntryItem/Host";

/** The verdict on one item. */
export type ItemSupport =
  | {
      readonly supported: true;
      /** The term as written, resolved. */
      readonly source: TermInfo;
      /** The term that is evaluated: `source`, or the host-state term it is mapped onto. */
      readonly target: TermInfo;
      readonly mapping?: EventTermMapping | { readonly target: string; readonly why: string };
    }
  | {
      readonly supported: false;
      readonly code: DiagnosticCode;
      readonly reason: string;
      readonly source?: TermInfo;
    };

/** Decides whether `item` can be evaluated, following the vocabulary and the options. */
export function classifyItem(item: IndicatorItem, options: ItemSupportOptions = {}): ItemSupport {
  const platform = options.platform ?? "linux";
  const source = lookupTerm(item.term);
  const condition: string = item.condition;
  if (!isKnownCondition(condition)) {
    const spelled = condition === "" ? "no condition" : `the unknown condition "${condition}"`;
    return { supported: false, code: "IOC011", ...(source ? { source } : {}), reason: `"${item.term}" has ${spelled}` };
  }
  if (!source) {
    return { supported: false, code: "IOC020", reason: `Unknown term "${item.term}"` };
  }
  let target = source;
  let mapping: EventTermMapping | { target: string; why: string } | undefined;

  if (source.informational) {
    const dns = options.mapNetworkTerms === true && source.term === "Network/DNS" ? lookupTerm(NETWORK_DNS_TARGET) : undefined;
    if (!dns) {
      return { supported: false, code: "IOC022", source, reason: `"${source.term}" describes network traffic or mail, not host state` };
    }
    target = dns;
    mapping = { target: dns.term, why: "a DNS name is looked for among the host's DNS entries (--map-network-terms)" };
  } else if (isEventDocument(source.document)) {
    const eventMapping = options.mapEvents === false ? undefined : eventTermMapping(source.term);
    const mapped = eventMapping ? lookupTerm(eventMapping.target) : undefined;
    if (!eventMapping || !mapped) {
      const why = options.mapEvents === false ? "event mapping is off" : "it has no host-state equivalent";
      return { supported: false, code: "IOC021", source, reason: `"${source.term}" is a real-time event term and ${why}` };
    }
    target = mapped;
    mapping = eventMapping;
  }

  if (!isCollected(target.term, platform)) {
    const via = target === source ? "" : ` (read as "${target.term}")`;
    return { supported: false, code: "IOC021", source, reason: `"${source.term}"${via} is not collected on ${platform}` };
  }
  if (!conditionApplies(item.condition, target.type, item.value)) {
    return {
      supported: false,
      code: "IOC024",
      source,
      reason: `Condition "${item.condition}" does not apply to "${target.term}" (type ${target.type})`,
    };
  }
  return mapping ? { supported: true, source, target, mapping } : { supported: true, source, target };
}
