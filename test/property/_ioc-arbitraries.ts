/**
 * fast-check arbitraries for IocDocument trees, shaped like what the reader produces:
 * canonical `sourceCondition` per version, `term`/`document` derived from `Context/@search`,
 * parameters attached to their node and listed document-wide in file order, unique ids.
 * Positions are dummies; compare through `stripPositions`.
 */
import fc from "fast-check";
import {
  CONDITIONS,
  type Condition,
  type Indicator,
  type IndicatorItem,
  type IndicatorNode,
  type IocDocument,
  type IocLink,
  type IocParameter,
  type OpenIocVersion,
} from "../../src/core/ioc/model.js";

const AT = { line: 1, column: 1 } as const;

/** A realistic term: search path, Context/@type, Content/@type and a few typical values. */
interface TermSpec {
  readonly search: string;
  readonly contextType: string;
  readonly contentType: string;
  readonly samples: readonly string[];
}

const TERMS: readonly TermSpec[] = [
  { search: "FileItem/Md5sum", contextType: "mir", contentType: "md5", samples: ["b305b543da332a2fcf6e1ce55ed2ea79", "2AA6 "] },
  { search: "FileItem/FileName", contextType: "mir", contentType: "string", samples: ["svchost.exe", "gdocs.exe"] },
  { search: "FileItem/FullPath", contextType: "mir", contentType: "string", samples: ["\\Windows\\System32\\", "/tmp/x"] },
  { search: "FileItem/SizeInBytes", contextType: "mir", contentType: "int", samples: ["104448", "13312 TO 14336"] },
  { search: "FileItem/PEInfo/PETimeStamp", contextType: "mir", contentType: "date", samples: ["2011-03-18T02:41:49Z"] },
  { search: "ProcessItem/name", contextType: "mir", contentType: "string", samples: ["evil", "Run  "] },
  { search: "ProcessItem/HandleList/Handle/Name", contextType: "mir", contentType: "string", samples: ["\\BaseNamedObjects\\x"] },
  { search: "PortItem/remotePort", contextType: "mir", contentType: "int", samples: ["4444", "443"] },
  { search: "PortItem/remoteIP", contextType: "mir", contentType: "IP", samples: ["10.1.2.3", "72.55."] },
  { search: "Network/DNS", contextType: "network", contentType: "string", samples: ["evil.example.com"] },
  { search: "DnsEntryItem/RecordName", contextType: "mir", contentType: "string", samples: ["a.example.org"] },
  { search: "RegistryItem/Path", contextType: "mir", contentType: "string", samples: ["HKEY_USERS\\*\\Software"] },
  { search: "processEvent/processCmdLine", contextType: "event", contentType: "string", samples: ["cmd /c dir *si.lnk "] },
  { search: "eventItem/processEvent/processCmdLine", contextType: "event", contentType: "string", samples: ["-enc "] },
];

// Characters that stress escaping and byte-for-byte preservation (all legal in XML 1.0).
const PIECES = [" ", "  ", "\n", "\t", "\r", "\r\n", "<", ">", "&", '"', "'", "]]>", "&amp;", "é", "日本", "😀",
  "\u00a0", "\u2028", "\uFEFF", "a", "Z", "0", "\\", "/", "evil.exe", "x y"];

const XML_CHAR = /^[\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]*$/u;

/** Text of any shape XML 1.0 can hold, including the empty string. */
export const textArb: fc.Arbitrary<string> = fc
  .oneof(
    fc.array(fc.constantFrom(...PIECES), { maxLength: 8 }).map((pieces) => pieces.join("")),
    fc.string({ unit: "grapheme", maxLength: 12 }),
  )
  .filter((text) => XML_CHAR.test(text));

/**
 * Metadata text as the reader returns it: trimmed, and optional fields absent rather than empty
 * (the reader trims metadata; only Content and parameter values are kept byte for byte).
 */
const metadataTextArb = textArb.map((text) => text.trim());
const optionalMetadataArb = fc.option(
  metadataTextArb.filter((text) => text !== ""),
  { nil: undefined },
);

const dateArb = fc
  .date({ min: new Date("1990-01-01T00:00:00Z"), max: new Date("2030-12-31T23:59:59Z"), noInvalidDate: true })
  .map((date) => date.toISOString().replace(/\.\d{3}Z$/, "Z"));

const idBaseArb = fc.oneof({ arbitrary: fc.uuid(), weight: 4 }, { arbitrary: textArb, weight: 1 });

/** Drops `undefined` members so the object fits `exactOptionalPropertyTypes`. */
function compact<T extends object>(value: { [K in keyof T]: T[K] | undefined }): T {
  return Object.fromEntries(Object.entries(value).filter(([, member]) => member !== undefined)) as T;
}

const CONDITIONS_10: readonly Condition[] = ["is", "contains"];

/** What a parameter says before it is attached to a node. */
interface ParameterDraft {
  readonly id: string;
  readonly name: string;
  readonly value: string;
  readonly valueType: string | undefined;
}

function parameterDraftsArb(version: OpenIocVersion, onItem: boolean, max: number): fc.Arbitrary<ParameterDraft[]> {
  if (version === "1.0") {
    // 1.0 has exactly one place for a parameter: the item's Comment.
    if (!onItem) return fc.constant([]);
    const comment = textArb.map((value) => ({ id: "", name: "comment", value, valueType: undefined }));
    return fc.option(comment, { nil: undefined }).map((c) => (c ? [c] : []));
  }
  const draft = fc.record({
    id: fc.uuid(),
    name: fc.constantFrom("note", "score", "detail", "comment", "yara/wide"),
    value: textArb,
    valueType: fc.constantFrom<string | undefined>("string", "", "int", undefined),
  });
  return fc.array(draft, { maxLength: max });
}

function itemArb(version: OpenIocVersion): fc.Arbitrary<IndicatorItem> {
  return fc.constantFrom(...TERMS).chain((spec) =>
    fc
      .record({
        id: fc.oneof({ arbitrary: idBaseArb, weight: 9 }, { arbitrary: fc.constant(""), weight: 1 }),
        otherDocument: fc.option(fc.constantFrom("Network", "FileItem"), { nil: undefined, freq: 8 }),
        condition: fc.constantFrom(...(version === "1.0" ? CONDITIONS_10 : CONDITIONS)),
        negate: fc.boolean(),
        preserveCase: version === "1.0" ? fc.constant(false) : fc.boolean(),
        value: fc.oneof(textArb, fc.constantFrom(...spec.samples), fc.constant("")),
        hasContent: fc.oneof({ arbitrary: fc.constant(true), weight: 9 }, { arbitrary: fc.constant(false), weight: 1 }),
        parameters: parameterDraftsArb(version, true, 2),
      })
      .map((draft): IndicatorItem => {
        const term = spec.search.replace(/^eventItem\//, "");
        const document = term.split("/")[0] ?? "";
        return {
          kind: "item",
          id: draft.id,
          condition: draft.condition,
          sourceCondition: version === "1.0" && draft.negate ? `${draft.condition}not` : draft.condition,
          negate: draft.negate,
          preserveCase: draft.preserveCase,
          context: { document: draft.otherDocument ?? document, search: spec.search, type: spec.contextType },
          term,
          document,
          // Without a Content element the reader has neither a value nor a Content/@type.
          contentType: draft.hasContent ? spec.contentType : "",
          value: draft.hasContent ? draft.value : "",
          hasContent: draft.hasContent,
          parameters: draft.parameters.map((p) => draftToParameter(p, "")),
          position: AT,
          valuePosition: AT,
        };
      }),
  );
}

function draftToParameter(draft: ParameterDraft, refId: string): IocParameter {
  return compact<IocParameter>({
    id: draft.id === "" ? undefined : draft.id,
    refId,
    name: draft.name,
    value: draft.value,
    valueType: draft.valueType,
    position: AT,
  });
}

/** An indicator whose subtree is at most `depth` indicators deep. */
function indicatorArb(version: OpenIocVersion, depth: number, minChildren: number): fc.Arbitrary<Indicator> {
  const item = itemArb(version);
  const child: fc.Arbitrary<IndicatorNode> =
    depth <= 1
      ? item
      : fc.oneof({ arbitrary: item, weight: 3 }, { arbitrary: indicatorArb(version, depth - 1, 0), weight: 2 });
  return fc
    .record({
      idBase: idBaseArb,
      operator: fc.constantFrom<"AND" | "OR">("AND", "OR"),
      // Nested groups may be empty now and then: legal XML, only a reader warning.
      children: fc.oneof(
        { arbitrary: fc.array(child, { minLength: Math.max(1, minChildren), maxLength: 4 }), weight: 12 },
        { arbitrary: fc.constant<IndicatorNode[]>([]), weight: minChildren > 0 ? 0 : 1 },
      ),
      parameters: parameterDraftsArb(version, false, 1),
    })
    .map(({ idBase, operator, children, parameters }) => ({
      kind: "indicator",
      id: idBase,
      operator,
      children,
      parameters: parameters.map((p) => draftToParameter(p, "")),
      position: AT,
    }));
}

/**
 * Makes ids unique (a counter suffix; an empty item id stays empty when nothing refers to it),
 * points every parameter's refId at its node, and lists them document-wide in tree order.
 */
function finalizeTree(root: Indicator): { criteria: Indicator; parameters: IocParameter[] } {
  let counter = 0;
  const all: IocParameter[] = [];
  const visit = <T extends IndicatorNode>(node: T): T => {
    counter++;
    const keepEmpty = node.kind === "item" && node.id === "" && node.parameters.length === 0;
    const id = keepEmpty ? "" : `${node.id}~${counter}`;
    const parameters = node.parameters.map((p) => ({ ...p, refId: id }));
    all.push(...parameters);
    if (node.kind === "item") return { ...node, id, parameters };
    const children = node.children.map((c) => visit(c));
    return { ...node, id, parameters, children };
  };
  const criteria = visit(root);
  return { criteria, parameters: all };
}

const linkArb: fc.Arbitrary<IocLink> =
  fc
    .record({
      // 1.0 writes no rel="" (it means "none" there), so an empty rel reads back the same either way.
      rel: fc.oneof(fc.constantFrom("family", "threatgroup", "category", "platform"), textArb),
      text: metadataTextArb,
      href: fc.option(fc.constantFrom("https://example.com/?a=1&b=2", "http://x/\"q\""), { nil: undefined }),
      title: fc.option(textArb, { nil: undefined }),
      type: fc.option(fc.constantFrom("text/html", "doc"), { nil: undefined }),
    })
    .map((link) => compact<IocLink>({ ...link, position: AT }));

/** Options of {@link iocDocumentArb}. */
export interface IocDocumentArbOptions {
  /** Maximum indicator nesting (the root counts as 1). */
  readonly maxDepth?: number;
  /** 1.1 only: parameters whose ref-id names no node, kept only in the document-wide list. */
  readonly orphanParameters?: boolean;
}

/** An arbitrary IocDocument of the given version, shaped as the reader would produce it. */
export function iocDocumentArb(version: OpenIocVersion, options: IocDocumentArbOptions = {}): fc.Arbitrary<IocDocument> {
  const maxDepth = options.maxDepth ?? 5;
  const orphans: fc.Arbitrary<ParameterDraft[]> =
    version === "1.1" && options.orphanParameters !== false
      ? parameterDraftsArb("1.1", false, 2)
      : fc.constant<ParameterDraft[]>([]);
  return fc
    .record({
      // The reader trims the root id (not node ids).
      id: idBaseArb.map((id) => id.trim()),
      title: metadataTextArb,
      description: optionalMetadataArb,
      keywords: optionalMetadataArb,
      authoredBy: optionalMetadataArb,
      authoredDate: fc.option(dateArb, { nil: undefined }),
      lastModified: fc.option(dateArb, { nil: undefined }),
      publishedDate:
        version === "1.1"
          ? fc.option(fc.oneof(dateArb, fc.constant("0001-01-01T00:00:00")), { nil: undefined })
          : fc.constant(undefined),
      links: fc.array(linkArb, { maxLength: 3 }),
      root: indicatorArb(version, maxDepth, 1),
      orphans,
      orphansFirst: fc.boolean(),
    })
    .map(({ root, orphans: orphanDrafts, orphansFirst, ...meta }) => {
      const { criteria, parameters } = finalizeTree(root);
      const stray = orphanDrafts.map((draft, i) => draftToParameter(draft, `orphan-${i}-${draft.id}`));
      return compact<IocDocument>({
        version,
        ...meta,
        criteria,
        parameters: orphansFirst ? [...stray, ...parameters] : [...parameters, ...stray],
        position: AT,
      });
    });
}

/**
 * 1.1 documents that OpenIOC 1.0 can hold (is/contains, no preserve-case, at most a comment per
 * item, no real published-date): a 1.0 document as a 1.1 reader would have produced it. Random
 * 1.1 documents almost never qualify, so the downgrade's success path needs this.
 */
export function downgradableIocDocumentArb(options: IocDocumentArbOptions = {}): fc.Arbitrary<IocDocument> {
  return fc
    .tuple(iocDocumentArb("1.0", options), fc.boolean())
    .map(([doc, placeholder]) => {
      const parameters: IocParameter[] = [];
      const upgrade = (node: IndicatorNode): IndicatorNode => {
        const own = node.parameters.map((p) => ({ ...p, id: `${p.refId ?? ""}#comment`, valueType: "string" }));
        parameters.push(...own);
        return node.kind === "item"
          ? { ...node, sourceCondition: node.condition, parameters: own }
          : { ...node, parameters: own, children: node.children.map(upgrade) };
      };
      const criteria = doc.criteria ? (upgrade(doc.criteria) as Indicator) : undefined;
      return {
        ...doc,
        version: "1.1" as const,
        ...(criteria ? { criteria } : {}),
        ...(placeholder ? { publishedDate: "0001-01-01T00:00:00" } : {}),
        parameters,
      };
    });
}
