/**
 * A tiny XML emitter for the OpenIOC writer: fixed element names from our code, escaped text and
 * attribute values from the model, two-space indentation, `\n` line ends.
 *
 * Values are never re-wrapped or indented: a text node is written exactly between its tags, so a
 * reader that keeps text as written gets every byte back (leading/trailing blanks, newlines).
 *
 * @module
 */

/** Attributes in output order; `undefined` values are left out. */
export type XmlAttributes = ReadonlyArray<readonly [name: string, value: string | undefined]>;

/** A value that cannot be written because XML 1.0 has no way to represent one of its characters. */
export interface ForbiddenCharacter {
  /** Where the value comes from, for the message (e.g. `Content of item "abc"`). */
  readonly where: string;
  /** The offending code point, as `U+0001`. */
  readonly codePoint: string;
}

// XML 1.0 `Char`: #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF].
// With the `u` flag a lone surrogate is one code point outside every range, so it is caught too.
const FORBIDDEN = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;

/**
 * The first character of `value` that XML 1.0 forbids, as `U+XXXX`, or undefined.
 *
 * @example
 * findForbiddenCharacter("a\u0001b"); // "U+0001"
 */
export function findForbiddenCharacter(value: string): string | undefined {
  const match = FORBIDDEN.exec(value);
  if (!match) return undefined;
  const codePoint = match[0].codePointAt(0) ?? 0;
  return `U+${codePoint.toString(16).toUpperCase().padStart(4, "0")}`;
}

/**
 * Escapes character data. `\r` becomes a character reference because a parser turns a literal
 * CR (or CRLF) into LF (XML 1.0 section 2.11), which would change the value.
 *
 * @example
 * escapeText("a < b\r\n"); // "a &lt; b&#13;\n"
 */
export function escapeText(value: string): string {
  return value.replace(/[&<>\r]/g, (c) => TEXT_ESCAPES[c] ?? c);
}

/**
 * Escapes a double-quoted attribute value. Tab, LF and CR become character references because
 * attribute-value normalisation (XML 1.0 section 3.3.3) would otherwise turn them into spaces.
 *
 * @example
 * escapeAttribute('say "hi"\n'); // "say &quot;hi&quot;&#10;"
 */
export function escapeAttribute(value: string): string {
  return value.replace(/[&<>"\t\n\r]/g, (c) => ATTRIBUTE_ESCAPES[c] ?? c);
}

const TEXT_ESCAPES: Readonly<Record<string, string>> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;" };
const ATTRIBUTE_ESCAPES: Readonly<Record<string, string>> = {
  ...TEXT_ESCAPES,
  '"': "&quot;",
  "\t": "&#9;",
  "\n": "&#10;",
};

/**
 * Builds an indented XML document line by line. Every value passes through {@link XmlOut.check},
 * which records characters XML cannot hold instead of writing them.
 *
 * @example
 * const out = new XmlOut();
 * out.open("links");
 * out.leaf("link", [["rel", "family"]], "APT1");
 * out.close("links");
 * out.toString(); // '<?xml …?>\n<links>\n  <link rel="family">APT1</link>\n</links>\n'
 */
export class XmlOut {
  private readonly lines: string[] = ['<?xml version="1.0" encoding="utf-8"?>'];
  private depth = 0;
  /** Values refused so far; the caller turns them into write problems. */
  readonly forbidden: ForbiddenCharacter[] = [];

  /** Opens `<name …>` on its own line; children follow one level deeper. */
  open(name: string, attributes: XmlAttributes = [], where = `element "${name}"`): void {
    this.line(`<${name}${this.attributes(attributes, where)}>`);
    this.depth++;
  }

  /** Closes the element opened last with `name`. */
  close(name: string): void {
    this.depth--;
    this.line(`</${name}>`);
  }

  /** Writes `<name …>text</name>`, or `<name … />` when `text` is undefined or empty. */
  leaf(name: string, attributes: XmlAttributes = [], text?: string, where = `element "${name}"`): void {
    const attrs = this.attributes(attributes, where);
    if (text === undefined || text === "") {
      this.line(`<${name}${attrs} />`);
      return;
    }
    this.check(text, where);
    this.line(`<${name}${attrs}>${escapeText(text)}</${name}>`);
  }

  /** Records `value` as refused when it holds a character XML 1.0 forbids. */
  check(value: string, where: string): void {
    const codePoint = findForbiddenCharacter(value);
    if (codePoint !== undefined) this.forbidden.push({ where, codePoint });
  }

  /** The finished document, ending with a newline. */
  toString(): string {
    return this.lines.join("\n") + "\n";
  }

  private attributes(attributes: XmlAttributes, where: string): string {
    let out = "";
    for (const [name, value] of attributes) {
      if (value === undefined) continue;
      this.check(value, `attribute "${name}" of ${where}`);
      out += ` ${name}="${escapeAttribute(value)}"`;
    }
    return out;
  }

  private line(text: string): void {
    this.lines.push("  ".repeat(this.depth) + text);
  }
}
