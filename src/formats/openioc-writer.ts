/**
 * OpenIOC writer: an {@link IocDocument} back to OpenIOC 1.0 or 1.1 XML.
 *
 * Contract:
 * - Output: `<?xml version="1.0" encoding="utf-8"?>`, two-space indentation, `\n` line ends, a
 *   final newline. Values are written byte for byte (no trimming; CR, and tab/LF in attributes,
 *   as character references), so `parseIoc(writeIoc(doc))` gives `doc` back, positions aside.
 * - Deterministic: the same input gives the same bytes. The clock is never read:
 *   `last-modified` is the document's, else `options.now`, else left out. 1.1 `published-date`
 *   defaults to the `0001-01-01T00:00:00` "unpublished" placeholder. A 1.1 `param` without an id
 *   (a 1.0 comment being upgraded) gets a name-based GUID.
 * - No silent loss: what the target version cannot hold (1.1-only conditions, preserve-case,
 *   non-comment parameters, a real published-date, in 1.0; characters XML 1.0 forbids, in both)
 *   is reported as a {@link WriteProblem}, every one of them, and nothing is written.
 * - Written as the model says, not re-derived: conditions in their canonical spelling (the
 *   `sourceCondition` is not reused), `Context` attributes as held, `Content` left out only when
 *   the item had none. A 1.1 criteria that the reader folded into one OR (id "") is written as
 *   that one Indicator.
 *
 * @module
 */
import type { IocDocument, OpenIocVersion } from "../core/ioc/model.js";
import { lastModifiedOf } from "./_openioc-common.js";
import { writeOpenIoc10 } from "./_openioc-10.js";
import { writeOpenIoc11 } from "./_openioc-11.js";
import type { WriteProblem } from "./_write-problems.js";
import { XmlOut } from "./_xml-out.js";

export type { WriteProblem, WriteProblemCode } from "./_write-problems.js";

/**
 * Options of {@link writeIoc} and {@link tryWriteIoc}.
 *
 * @example
 * const options: WriteIocOptions = { version: "1.1", now: new Date() };
 */
export interface WriteIocOptions {
  /** The OpenIOC version to write; the document's own by default. */
  readonly version?: OpenIocVersion;
  /**
   * `last-modified` for a document that has none: an ISO 8601 string written as given, or a
   * `Date` written in UTC to the second (`2026-11-27T23:51:39Z`; an invalid `Date` throws a
   * `TypeError`). Without it the attribute is left out rather than invented.
   */
  readonly now?: Date | string;
}

/**
 * The outcome of {@link tryWriteIoc}: the XML, or every reason it could not be written.
 *
 * @example
 * const result: WriteIocResult = tryWriteIoc(doc);
 * const xml = result.ok ? result.xml : undefined;
 */
export type WriteIocResult =
  | { readonly ok: true; readonly xml: string }
  | { readonly ok: false; readonly problems: readonly WriteProblem[] };

/**
 * Thrown by {@link writeIoc} when the document cannot be written; `problems` lists every reason.
 *
 * @example
 * try {
 *   writeIoc(doc, { version: "1.0" });
 * } catch (error) {
 *   if (error instanceof IocWriteError) console.error(error.problems.map((p) => p.path));
 * }
 */
export class IocWriteError extends Error {
  override readonly name = "IocWriteError";

  constructor(
    readonly version: OpenIocVersion,
    readonly problems: readonly WriteProblem[],
  ) {
    // The first problem already names the action ("Cannot write item …"); say how many follow.
    const first = problems[0]?.message ?? `Cannot write OpenIOC ${version}`;
    const more = problems.length > 1 ? ` (and ${problems.length - 1} more problems)` : "";
    super(`${first}${more}`);
  }
}

/**
 * Writes `doc` as OpenIOC XML, or returns the problems that prevent it.
 *
 * @example
 * const result = tryWriteIoc(doc, { version: "1.0" });
 * if (!result.ok) for (const p of result.problems) console.error(`${p.path}: ${p.message}`);
 */
export function tryWriteIoc(doc: IocDocument, options: WriteIocOptions = {}): WriteIocResult {
  const version = options.version ?? doc.version;
  const out = new XmlOut();
  const problems: WriteProblem[] = [];
  const lastModified = lastModifiedOf(doc, options.now);
  if (version === "1.0") writeOpenIoc10(out, doc, lastModified, problems);
  else writeOpenIoc11(out, doc, lastModified, problems);
  for (const { where, codePoint } of out.forbidden) {
    problems.push({
      code: "forbidden-character",
      message: `Cannot write ${where}: character ${codePoint} is not allowed in XML 1.0`,
      path: where,
    });
  }
  return problems.length === 0 ? { ok: true, xml: out.toString() } : { ok: false, problems };
}

/**
 * Writes `doc` as OpenIOC XML in its own version or `options.version`.
 *
 * @throws {IocWriteError} when the target version cannot hold the document (see {@link tryWriteIoc}).
 * @example
 * const xml = writeIoc(doc, { version: "1.1", now: new Date() });
 * await writeFile("out.ioc", xml, "utf8");
 */
export function writeIoc(doc: IocDocument, options: WriteIocOptions = {}): string {
  const result = tryWriteIoc(doc, options);
  if (!result.ok) throw new IocWriteError(options.version ?? doc.version, result.problems);
  return result.xml;
}
