/**
 * Shared state and element helpers of the reader's passes.
 *
 * @module
 */
import type { Diagnostic } from "./diagnostics.js";
import type { OpenIocVersion } from "./model.js";
import type { XmlElement } from "./xml-tree.js";

/** What every reader pass needs: the version being read and where diagnostics go. */
export interface ReadContext {
  readonly version: OpenIocVersion;
  readonly diagnostics: Diagnostic[];
}

/** The first child element with this local name. */
export function child(element: XmlElement, local: string): XmlElement | undefined {
  return element.children.find((c) => c.local === local);
}

/** All child elements with this local name. */
export function childrenNamed(element: XmlElement, local: string): XmlElement[] {
  return element.children.filter((c) => c.local === local);
}

/** The trimmed text of a metadata child, or undefined when absent or empty. */
export function childText(element: XmlElement, local: string): string | undefined {
  const text = child(element, local)?.text.trim();
  return text ? text : undefined;
}
