/**
 * 1.1 `parameters/param` elements. (1.0 comments and `TR:param` are read with their item.)
 *
 * @module
 */
import type { IocParameter } from "./model.js";
import { child, childrenNamed, type ReadContext } from "./read-context.js";
import type { XmlElement } from "./xml-tree.js";

/** Reads the file-level parameters section, in document order. */
export function readParameters(root: XmlElement, _context: ReadContext): IocParameter[] {
  const section = child(root, "parameters");
  return section ? childrenNamed(section, "param").map(readParam) : [];
}

/** Reads one `param`: 1.1 has `@id @ref-id @name` and a `value` child; 1.0 TR:param has children. */
export function readParam(element: XmlElement): IocParameter {
  const valueElement = child(element, "value");
  const id = element.attributes.get("id");
  const refId = element.attributes.get("ref-id");
  const valueType = valueElement?.attributes.get("type");
  return {
    ...(id === undefined ? {} : { id }),
    ...(refId === undefined ? {} : { refId }),
    name: element.attributes.get("name") ?? child(element, "name")?.text.trim() ?? "",
    value: valueElement?.text ?? element.text,
    ...(valueType === undefined ? {} : { valueType }),
    position: element.position,
  };
}
