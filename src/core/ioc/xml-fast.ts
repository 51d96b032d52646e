/**
 * A fast reader for the plain XML that IOC files are made of, producing exactly the tree saxes
 * would (same elements, attributes, text and positions), or nothing when the text uses anything
 * outside that plain subset; the caller then parses with saxes, which also words every error.
 *
 * Why: saxes reads about one character per function call. A list of 1,000,000 hashes is ~280 MB
 * of OpenIOC; saxes alone spent most of the minute such a scan took (BENCHMARKS.md, "Fixed cost
 * and IOC loading"). This reader skips from markup to markup with indexOf and sticky regexes.
 *
 * The subset (anything else returns undefined): ASCII names (at most one prefix), quoted
 * attribute values, the five predefined entities, comments, an XML 1.0 declaration at the very
 * start, namespace declarations other than the reserved `xml`/`xmlns` ones, no carriage return,
 * no `]]>`, no character that XML forbids. Never a DOCTYPE, CDATA section, character reference or
 * processing instruction. Nor any error: a document this reader accepts is well-formed.
 *
 * @module
 */
import type { SourcePosition } from "./model.js";
import type { XmlElement } from "./xml-tree.js";

const XML_NAMESPACE = "http://www.w3.org/XML/1998/namespace";
const XMLNS_NAMESPACE = "http://www.w3.org/2000/xmlns/";

/** Characters XML 1.0 forbids, lone surrogates, and the carriage return (saxes normalises it). */
// eslint-disable-next-line no-control-regex -- control characters are what this pattern looks for
const OUTSIDE_SUBSET = /[\0-\x08\x0B\x0C\x0D\x0E-\x1F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const DECLARATION = /<\?xml[ \t\n]+version[ \t\n]*=[ \t\n]*(["'])1\.0\1(?:[ \t\n]+encoding[ \t\n]*=[ \t\n]*(["'])[A-Za-z][A-Za-z0-9._-]*\2)?(?:[ \t\n]+standalone[ \t\n]*=[ \t\n]*(["'])(?:yes|no)\3)?[ \t\n]*\?>/y;
const NAME = /[A-Za-z_][A-Za-z0-9._-]*(?::[A-Za-z_][A-Za-z0-9._-]*)?/y;
const ATTRIBUTE = /[ \t\n]+([A-Za-z_][A-Za-z0-9._-]*(?::[A-Za-z_][A-Za-z0-9._-]*)?)[ \t\n]*=[ \t\n]*(?:"([^"<]*)"|'([^'<]*)')/y;
const TAG_END = /[ \t\n]*(\/?)>/y;
const CLOSE_TAG_END = /[ \t\n]*>/y;
const WHITESPACE_ONLY = /^[ \t\n]*$/;
const ENTITY = /&(?:(lt)|(gt)|(amp)|(quot)|(apos));/g;
const ENTITY_TEXT: Record<string, string> = { lt: "<", gt: ">", amp: "&", quot: '"', apos: "'" };

/** Signals text outside the subset; caught in {@link parseSimpleXml}. */
class OutsideSubset extends Error {}

/** Namespace declarations of one element, linked to the enclosing scope. */
interface Scope {
  readonly prefixes: ReadonlyMap<string, string>;
  readonly parent: Scope | undefined;
}

const ROOT_SCOPE: Scope = { prefixes: new Map([["xml", XML_NAMESPACE], ["xmlns", XMLNS_NAMESPACE]]), parent: undefined };

function resolvePrefix(scope: Scope | undefined, prefix: string): string | undefined {
  for (let s = scope; s; s = s.parent) {
    const uri = s.prefixes.get(prefix);
    if (uri !== undefined) return uri;
  }
  return undefined;
}

/**
 * 1-based line and column of offsets that only grow (the starts of elements, in document order):
 * each call counts the line ends since the previous one. The subset has no carriage return, so
 * only "\n" ends a line.
 */
function lineCounter(text: string): (offset: number) => SourcePosition {
  let line = 1;
  let lineStart = 0;
  let nextEnd = text.indexOf("\n");
  return (offset) => {
    while (nextEnd !== -1 && nextEnd < offset) {
      line++;
      lineStart = nextEnd + 1;
      nextEnd = text.indexOf("\n", lineStart);
    }
    return { line, column: offset - lineStart + 1 };
  };
}

/** Text or an attribute value with its predefined entities replaced; any other `&` is outside. */
function decodeEntities(raw: string): string {
  if (!raw.includes("&")) return raw;
  const decoded = raw.replace(ENTITY, (whole: string, ...names: (string | undefined)[]) => ENTITY_TEXT[names.slice(0, 5).find((n) => n !== undefined) ?? ""] ?? whole);
  // What is left of an `&` after the five entities is a character reference or an error.
  if (raw.replace(ENTITY, "").includes("&")) throw new OutsideSubset();
  return decoded;
}

/**
 * The element tree of `text`, as saxes with namespaces would build it; undefined when the text is
 * outside the subset (or nests deeper than `maxDepth`): parse it with saxes then.
 */
export function parseSimpleXml(text: string, maxDepth: number): XmlElement | undefined {
  if (OUTSIDE_SUBSET.test(text) || text.includes("]]>")) return undefined;
  try {
    return readDocument(text, maxDepth, lineCounter(text));
  } catch (error) {
    if (error instanceof OutsideSubset) return undefined;
    throw error;
  }
}

function readDocument(text: string, maxDepth: number, positionOf: (offset: number) => SourcePosition): XmlElement | undefined {
  let at = 0;
  if (text.startsWith("<?xml")) {
    DECLARATION.lastIndex = 0;
    if (!DECLARATION.test(text)) return undefined;
    at = DECLARATION.lastIndex;
  }
  const stack: { element: XmlElement; name: string; scope: Scope }[] = [];
  let root: XmlElement | undefined;
  let scope: Scope = ROOT_SCOPE;
  for (;;) {
    const open = text.indexOf("<", at);
    const end = open === -1 ? text.length : open;
    if (end > at) {
      const top = stack[stack.length - 1];
      const chunk = text.slice(at, end);
      if (top) top.element.text += decodeEntities(chunk);
      else if (!WHITESPACE_ONLY.test(chunk)) return undefined;
    }
    if (open === -1) break;
    const next = text.charCodeAt(open + 1);
    if (next === 0x21 /* ! */) {
      if (!text.startsWith("<!--", open)) return undefined; // DOCTYPE, CDATA
      const close = text.indexOf("-->", open + 4);
      if (close === -1 || text.indexOf("--", open + 4) !== close) return undefined;
      at = close + 3;
    } else if (next === 0x2f /* / */) {
      const top = stack.pop();
      if (!top || !text.startsWith(top.name, open + 2)) return undefined;
      CLOSE_TAG_END.lastIndex = open + 2 + top.name.length;
      if (!CLOSE_TAG_END.test(text)) return undefined;
      at = CLOSE_TAG_END.lastIndex;
      scope = top.scope;
    } else {
      if (root && stack.length === 0) return undefined; // a second root, or a processing instruction
      if (stack.length >= maxDepth) return undefined;
      NAME.lastIndex = open + 1;
      const nameMatch = NAME.exec(text);
      if (!nameMatch) return undefined;
      const name = nameMatch[0];
      /** Name, value, name, value...: no object per attribute. */
      const attributes: string[] = [];
      let cursor = NAME.lastIndex;
      for (;;) {
        ATTRIBUTE.lastIndex = cursor;
        const attribute = ATTRIBUTE.exec(text);
        if (!attribute) break;
        const raw = attribute[2] ?? attribute[3] ?? "";
        const value = decodeEntities(raw.includes("\t") || raw.includes("\n") ? raw.replace(/[\t\n]/g, " ") : raw);
        attributes.push(attribute[1] ?? "", value);
        cursor = ATTRIBUTE.lastIndex;
      }
      TAG_END.lastIndex = cursor;
      const tagEnd = TAG_END.exec(text);
      if (!tagEnd) return undefined;
      at = TAG_END.lastIndex;
      const outer = scope;
      scope = declareNamespaces(attributes, scope);
      const element = buildElement(name, attributes, scope, positionOf(open));
      const parent = stack[stack.length - 1];
      if (parent) parent.element.children.push(element);
      else root = element;
      if (tagEnd[1] === "/") scope = outer;
      else stack.push({ element, name, scope: outer });
    }
  }
  return stack.length === 0 ? root : undefined;
}

/** The scope inside an element: its own `xmlns` declarations over the enclosing ones. */
function declareNamespaces(attributes: readonly string[], scope: Scope): Scope {
  let declared: Map<string, string> | undefined;
  for (let i = 0; i < attributes.length; i += 2) {
    const name = attributes[i] as string;
    const value = attributes[i + 1] as string;
    let prefix: string;
    if (name === "xmlns") prefix = "";
    else if (name.startsWith("xmlns:")) prefix = name.slice(6);
    else continue;
    const uri = value.trim();
    // Reserved prefixes and URIs, and undeclaring a prefix, are errors (or rules) saxes words.
    if (prefix === "xml" || prefix === "xmlns" || uri === XML_NAMESPACE || uri === XMLNS_NAMESPACE || (prefix !== "" && uri === "")) throw new OutsideSubset();
    (declared ??= new Map()).set(prefix, uri);
  }
  return declared ? { prefixes: declared, parent: scope } : scope;
}

function buildElement(name: string, attributes: readonly string[], scope: Scope, position: SourcePosition): XmlElement {
  const colon = name.indexOf(":");
  const prefix = colon === -1 ? "" : name.slice(0, colon);
  const local = colon === -1 ? name : name.slice(colon + 1);
  if (prefix === "xmlns") throw new OutsideSubset();
  const uri = resolvePrefix(scope, prefix);
  if (prefix !== "" && (uri === undefined || uri === "")) throw new OutsideSubset();
  const byLocal = new Map<string, string>();
  const seen: string[] = [];
  for (let i = 0; i < attributes.length; i += 2) {
    const attributeName = attributes[i] as string;
    const split = attributeName.indexOf(":");
    const attributePrefix = split === -1 ? "" : attributeName.slice(0, split);
    const attributeLocal = split === -1 ? attributeName : attributeName.slice(split + 1);
    let expanded = attributeName;
    if (attributePrefix !== "") {
      const attributeUri = resolvePrefix(scope, attributePrefix);
      if (attributeUri === undefined) throw new OutsideSubset();
      expanded = `{${attributeUri}}${attributeLocal}`;
    }
    // Elements have a handful of attributes: a scan of an array beats building a Set.
    if (seen.includes(expanded)) throw new OutsideSubset();
    seen.push(expanded);
    if (attributePrefix === "xmlns" || attributeName === "xmlns") continue;
    byLocal.set(attributeLocal, attributes[i + 1] as string);
  }
  return { local, uri: uri ?? "", attributes: byLocal, children: [], text: "", position };
}
