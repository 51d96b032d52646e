/**
 * Building an {@link IocDocument} from converted data: items with the term's content type and
 * deterministic ids, so the same input always gives the same OpenIOC bytes.
 *
 * @module
 */
import type { Condition, Indicator, IndicatorItem, IndicatorNode, IocDocument, Operator } from "../core/ioc/model.js";
import { lookupTerm } from "../core/vocabulary/index.js";
import { stableId } from "./_stable-id.js";

const NOWHERE = { line: 0, column: 0 } as const;

/** What one converted test says. */
export interface ItemSpec {
  readonly term: string;
  readonly condition: Condition;
  readonly value: string;
  readonly negate?: boolean;
}

/** `Content/@type` as OpenIOC files spell it for the term's value type. */
function contentTypeOf(term: string): string {
  switch (lookupTerm(term)?.type) {
    case "md5":
      return "md5";
    case "sha1":
      return "sha1";
    case "sha256":
      return "sha256";
    case "int":
    case "uint64":
      return "int";
    case "ip":
      return "IP";
    case "date":
      return "date";
    default:
      return "string";
  }
}

/** Makes items and indicators for one IOC, numbering them in creation order. */
export class IocBuilder {
  private count = 0;

  constructor(private readonly iocId: string) {}

  item(spec: ItemSpec): IndicatorItem {
    const document = spec.term.slice(0, spec.term.indexOf("/"));
    return {
      kind: "item",
      id: this.nextId("item"),
      condition: spec.condition,
      sourceCondition: spec.condition,
      negate: spec.negate ?? false,
      // STIX `=` and MISP values are case-sensitive in theory; OpenIOC's default (and what
      // analysts mean by a domain or file name) is case-insensitive. Hashes and IPs are unaffected.
      preserveCase: false,
      context: { document, search: spec.term, type: document === "Network" ? "network" : "mir" },
      term: spec.term,
      document,
      contentType: contentTypeOf(spec.term),
      value: spec.value,
      hasContent: true,
      parameters: [],
      position: NOWHERE,
      valuePosition: NOWHERE,
    };
  }

  /** An AND/OR over `children`; a single child is returned as it is. */
  group(operator: Operator, children: readonly IndicatorNode[]): IndicatorNode {
    if (children.length === 1 && children[0] !== undefined) return children[0];
    return this.indicator(operator, children);
  }

  indicator(operator: Operator, children: readonly IndicatorNode[]): Indicator {
    return { kind: "indicator", id: this.nextId("indicator"), operator, children, parameters: [], position: NOWHERE };
  }

  private nextId(kind: string): string {
    this.count += 1;
    return stableId([this.iocId, kind, String(this.count)]);
  }
}

/** Metadata of a converted IOC. */
export interface IocMetadata {
  readonly id: string;
  readonly title: string;
  readonly description?: string | undefined;
  readonly keywords?: string | undefined;
  readonly authoredBy?: string | undefined;
  readonly authoredDate?: string | undefined;
  readonly lastModified?: string | undefined;
}

/** An OpenIOC 1.1 document whose criteria is `root` (wrapped in an OR when it is a single item). */
export function buildDocument(meta: IocMetadata, root: IndicatorNode, builder: IocBuilder): IocDocument {
  const criteria = root.kind === "indicator" ? root : builder.indicator("OR", [root]);
  return {
    version: "1.1",
    id: meta.id,
    title: meta.title,
    ...(meta.description ? { description: meta.description } : {}),
    ...(meta.keywords ? { keywords: meta.keywords } : {}),
    ...(meta.authoredBy ? { authoredBy: meta.authoredBy } : {}),
    ...(meta.authoredDate ? { authoredDate: meta.authoredDate } : {}),
    ...(meta.lastModified ? { lastModified: meta.lastModified } : {}),
    links: [],
    criteria,
    parameters: [],
    position: NOWHERE,
  };
}
