/**
 * What the STIX and MISP importers share: the result shape, the warning shape and the error for
 * input that breaks its format.
 *
 * @module
 */
import type { IocDocument } from "../core/ioc/model.js";

/** Something the conversion could not carry over, or carried over approximately; never silent. */
export interface ConversionWarning {
  /** Stable, e.g. `unsupported-comparison`, `qualifier-ignored`, `unsupported-attribute`. */
  readonly code: string;
  readonly message: string;
  /** What the warning is about: an indicator id, an attribute uuid, a JSON path. */
  readonly source: string;
}

/** One converted IOC and the warnings about it. */
export interface ConvertedIoc {
  readonly document: IocDocument;
  /** A file name for it: `<IOC id>.ioc`. */
  readonly fileName: string;
  readonly warnings: readonly ConversionWarning[];
}

/** The IOCs of one input file, and the warnings about parts that gave no IOC at all. */
export interface ConversionResult {
  readonly iocs: readonly ConvertedIoc[];
  /** Skipped indicators or events, with the reason. */
  readonly warnings: readonly ConversionWarning[];
}

/** Options of the importers. */
export interface ConversionOptions {
  /** Written as `last-modified` of IOCs whose source gives no date; the clock is never read. */
  readonly now?: Date;
}

/**
 * Input that claims a format and breaks it: the JSON path (or pattern offset) and the cause.
 *
 * @example
 * throw new ConversionInputError("$.objects[3].pattern", "Cannot parse STIX pattern at offset 16: …");
 */
export class ConversionInputError extends Error {
  override readonly name = "ConversionInputError";

  constructor(
    /** `$.objects[3].pattern`, `$.Event.Attribute[2].value`. */
    readonly path: string,
    readonly reason: string,
    /** The offset inside a STIX pattern, when the problem is there. */
    readonly offset?: number,
  ) {
    super(`${path}: ${reason}`);
  }
}

/** `true`, `1`, `"1"`, `"true"` (MISP writes all of them). */
export function isTruthy(value: unknown): boolean {
  return value === true || value === 1 || value === "1" || value === "true" || value === "True";
}
