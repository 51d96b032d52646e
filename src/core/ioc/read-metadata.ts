/**
 * IOC metadata: direct children of `ioc` in 1.0, children of `metadata` in 1.1. Both places are
 * searched in both versions, since generators such as python-openioc write a 1.0 `metadata`.
 *
 * @module
 */
import type { IocDocument, IocLink } from "./model.js";
import { child, childText, childrenNamed, type ReadContext } from "./read-context.js";
import type { XmlElement } from "./xml-tree.js";

type Metadata = Pick<
  IocDocument,
  "id" | "title" | "description" | "keywords" | "authoredBy" | "authoredDate" | "lastModified" | "publishedDate" | "links"
>;

/** Reads the id, dates, descriptive fields and links of an IOC. */
export function readMetadata(root: XmlElement, _context: ReadContext): Metadata {
  const holder = child(root, "metadata") ?? root;
  const text = (local: string): string | undefined => childText(holder, local) ?? childText(root, local);
  const optional = <K extends string>(key: K, value: string | undefined): Partial<Record<K, string>> =>
    value === undefined ? {} : ({ [key]: value } as Record<K, string>);
  const linksElement = child(holder, "links") ?? child(root, "links");
  return {
    id: root.attributes.get("id")?.trim() ?? "",
    title: text("short_description") ?? "",
    ...optional("description", text("description")),
    ...optional("keywords", text("keywords")),
    ...optional("authoredBy", text("authored_by")),
    ...optional("authoredDate", text("authored_date")),
    ...optional("lastModified", root.attributes.get("last-modified")?.trim()),
    ...optional("publishedDate", root.attributes.get("published-date")?.trim()),
    links: linksElement ? childrenNamed(linksElement, "link").map(readLink) : [],
  };
}

function readLink(element: XmlElement): IocLink {
  const attribute = (name: "href" | "title" | "type"): Partial<Record<typeof name, string>> => {
    const value = element.attributes.get(name);
    return value === undefined ? {} : { [name]: value };
  };
  return {
    rel: element.attributes.get("rel") ?? "",
    text: element.text.trim(),
    ...attribute("href"),
    ...attribute("title"),
    ...attribute("type"),
    position: element.position,
  };
}
