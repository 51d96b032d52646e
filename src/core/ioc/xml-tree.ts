/**
 * A small, bounded XML element tree with source positions, built with saxes.
 *
 * IOC files are untrusted: a DOCTYPE is refused outright (so no external entity, no entity
 * expansion can ever happen), depth and size are bounded, and the first syntax error stops the
 * parse. Elements are matched by local name later, so the namespace URI is only kept for checks.
 *
 * @module
 */
import { SaxesParser, type SaxesTagNS } from "saxes";
import { diagnostic, type Diagnostic } from "./diagnostics.js";
import type { SourcePosition } from "./model.js";

/** One XML element: local name, namespace, attributes by local name, text, children. */
export interface XmlElement {
  readonly local: string;
  readonly uri: string;
  readonly attributes: ReadonlyMap<string, string>;
  readonly children: XmlElement[];
  /** Text and CDATA directly inside this element, concatenated, entities decoded. */
  text: string;
  readonly position: SourcePosition;
}

/** Limits for untrusted input. */
export interface XmlLimits {
  readonly maxDepth: number;
}

/** The root element, or the diagnostic that stopped the parse. */
export type XmlTreeResult = { ok: true; root: XmlElement } | { ok: false; diagnostic: Diagnostic };

/** Thrown inside saxes callbacks to stop at the first problem; never escapes this module. */
class StopParse extends Error {
  constructor(readonly diagnostic: Diagnostic) {
    super(diagnostic.message);
  }
}

/** Parses XML text into an element tree. */
export function parseXmlTree(source: string, limits: XmlLimits): XmlTreeResult {
  const text = blankLateXmlDeclaration(source);
  const lines = new LineIndex(text);
  const parser = new SaxesParser({ xmlns: true, position: true });
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  let pendingStart: SourcePosition = { line: 1, column: 1 };

  parser.on("error", (error) => {
    const { line, column } = lines.at(Math.max(0, parser.position - 1));
    // saxes prefixes its message with "line:column: "; ours carries the position separately.
    const cause = error.message.replace(/^\d+:\d+: /, "").replace(/\.$/, "");
    throw new StopParse(diagnostic("IOC001", `Malformed XML: ${cause}`, { line, column }));
  });
  parser.on("doctype", () => {
    const at = lines.at(text.indexOf("<!DOCTYPE") >= 0 ? text.indexOf("<!DOCTYPE") : 0);
    throw new StopParse(
      diagnostic("IOC003", "A DOCTYPE is not allowed in an IOC file (external entities and entity expansion are refused)", at),
    );
  });
  parser.on("opentagstart", (tag) => {
    // saxes has read "<name" plus one delimiter character when this fires.
    pendingStart = lines.at(Math.max(0, parser.position - tag.name.length - 2));
  });
  parser.on("opentag", (tag: SaxesTagNS) => {
    if (stack.length >= limits.maxDepth) {
      throw new StopParse(
        diagnostic("IOC005", `Elements are nested deeper than ${limits.maxDepth} levels`, pendingStart),
      );
    }
    const attributes = new Map<string, string>();
    for (const attribute of Object.values(tag.attributes)) {
      if (attribute.prefix === "xmlns" || attribute.name === "xmlns") continue;
      attributes.set(attribute.local, attribute.value);
    }
    const element: XmlElement = { local: tag.local, uri: tag.uri, attributes, children: [], text: "", position: pendingStart };
    const parent = stack[stack.length - 1];
    if (parent) parent.children.push(element);
    else root = element;
    stack.push(element);
  });
  parser.on("closetag", () => {
    stack.pop();
  });
  const appendText = (chunk: string): void => {
    const current = stack[stack.length - 1];
    if (current) current.text += chunk;
  };
  parser.on("text", appendText);
  parser.on("cdata", appendText);

  try {
    parser.write(text).close();
  } catch (error) {
    if (error instanceof StopParse) return { ok: false, diagnostic: error.diagnostic };
    throw error;
  }
  if (!root) {
    return { ok: false, diagnostic: diagnostic("IOC001", "Malformed XML: no root element", lines.at(text.length)) };
  }
  return { ok: true, root };
}

/**
 * FireEye HX files put a licence comment before the XML declaration, which XML forbids. Blank
 * such a late declaration out with spaces, so the file parses and every position stays true.
 */
function blankLateXmlDeclaration(text: string): string {
  const match = /^(\s*<!--[\s\S]*?-->\s*)+(<\?xml\b[^?]*\?>)/.exec(text);
  if (!match?.[2]) return text;
  const start = match[0].length - match[2].length;
  return text.slice(0, start) + match[2].replace(/[^\n]/g, " ") + text.slice(match[0].length);
}

/** Converts offsets into 1-based line and column; `\r\n`, `\r` and `\n` all end a line. */
class LineIndex {
  private readonly starts: number[] = [0];

  constructor(text: string) {
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 10 || (c === 13 && text.charCodeAt(i + 1) !== 10)) this.starts.push(i + 1);
    }
  }

  at(offset: number): SourcePosition {
    let low = 0;
    let high = this.starts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >>> 1;
      if ((this.starts[mid] ?? 0) <= offset) low = mid;
      else high = mid - 1;
    }
    return { line: low + 1, column: offset - (this.starts[low] ?? 0) + 1 };
  }
}
