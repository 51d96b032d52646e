/**
 * Types of the term vocabulary: what iocscan knows about every OpenIOC search term.
 *
 * @module
 */

/** Operating systems, spelled as in the iocterms `platform` attribute. */
export type Platform = "win" | "osx" | "linux";

/**
 * The comparison type of a term. Decided by the vocabulary, not by `Content/@type`
 * (real files label SHA-1/SHA-256 terms "string").
 */
export type ValueType =
  | "string"
  | "md5"
  | "sha1"
  | "sha256"
  | "int"
  | "uint64"
  | "float"
  | "date"
  | "ip"
  | "bool"
  | "duration";

/** What the vocabulary knows about one term. */
export interface TermInfo {
  /** Canonical spelling, byte for byte as in the term lists (`FileItem/Md5sum`). */
  readonly term: string;
  /** The document: the term's first path segment (`FileItem`). */
  readonly document: string;
  readonly type: ValueType;
  /** Platforms FireEye declares for the term; empty when the source list has none. */
  readonly platforms: readonly Platform[];
  /** True for terms under a list (`.../StringList/string`, `.../HandleList/Handle/Name`): any element matches. */
  readonly listValued: boolean;
  /** Network/*, Email/*, Snort/*: describe traffic or mail, never host state. */
  readonly informational: boolean;
  /** Platforms on which iocscan itself collects this term. */
  readonly collectedOn: readonly Platform[];
  /** Present in the 2013 MIR list, i.e. usable in OpenIOC 1.0 / Redline. */
  readonly inMir2013: boolean;
  /**
   * FireEye's own marking in the term title (`*Deprecated*`, `*Unsupported*`); absent when
   * unmarked. Informative only: iocscan's support is `collectedOn`.
   */
  readonly vendorStatus?: "deprecated" | "unsupported";
}
