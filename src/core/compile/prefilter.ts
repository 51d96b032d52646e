/**
 * Collection prefilters: before computing an expensive field (a digest, PE headers, strings),
 * the collector asks whether any IOC could still match the object given its cheap fields, and
 * which expensive fields that would take. A file whose size and name rule out every unit that
 * reads `Md5sum` is never hashed.
 *
 * The answer comes from evaluating each unit with the cheap items known and the expensive ones
 * UNKNOWN: a unit that is FALSE already needs nothing; otherwise it needs the expensive fields
 * of the UNKNOWN leaves that could still change its value.
 *
 * @module
 */
import type { Channel, FieldValue } from "./channel.js";
import { HitSet, matchFields } from "./hit-set.js";
import { KeyedOrs, type OrChildren } from "./keyed-or.js";
import type { EvaluationPlan, PlanItem, PlanUnit } from "./plan-types.js";
import { pendingLeaves, type LeafValue, type PendingBlock } from "./record-tree.js";
import { FALSE, TRUE, UNKNOWN, type Tri } from "./tri.js";

/** What one object needs before it can be evaluated. */
export interface PrefilterDecision {
  /** False when no IOC can match the object whatever its expensive fields hold: skip it. */
  readonly mayMatch: boolean;
  /** Expensive fields to compute (record keys, e.g. `Md5sum`). */
  readonly fields: ReadonlySet<string>;
}

/** The values of one integer field with which an object may still match; see {@link Prefilter.onlyWhen}. */
export interface IntegerGate {
  readonly field: string;
  readonly values: readonly number[];
}

/** A document's prefilter for one split of its fields into cheap and expensive. */
export interface Prefilter {
  readonly document: string;
  /** Expensive fields some unit needs whatever the cheap fields say (e.g. a plain hash list). */
  readonly alwaysNeeded: ReadonlySet<string>;
  /**
   * Set when one cheap integer field alone can rule an object out: unless that field is a safe
   * integer in `values` (ascending), {@link decide} says `mayMatch: false`, so a collector may skip
   * the object before it builds a record (a hash list with file sizes: most files by size alone).
   */
  readonly onlyWhen?: IntegerGate;
  /** Decides for one object from its cheap fields (the expensive ones, if present, are ignored). */
  decide(cheapFields: Readonly<Record<string, FieldValue | null | undefined>>): PrefilterDecision;
}

/** The digest algorithms behind FileItem's hash fields. */
export type DigestAlgorithm = "md5" | "sha1" | "sha256";

/** The FileItem field of each digest. */
export const DIGEST_FIELD: Readonly<Record<DigestAlgorithm, string>> = { md5: "Md5sum", sha1: "Sha1sum", sha256: "Sha256sum" };

const ALGORITHMS: readonly DigestAlgorithm[] = ["md5", "sha1", "sha256"];
const ALGORITHM_OF_FIELD: ReadonlyMap<string, DigestAlgorithm> = new Map(ALGORITHMS.map((algorithm) => [DIGEST_FIELD[algorithm], algorithm]));

/** Decides from digests alone whether an object may match; see {@link createDigestGate}. */
export interface DigestGate {
  /** The digests it decides from. */
  readonly algorithms: readonly DigestAlgorithm[];
  /** False when no IOC can match an object with these digests (hex), whatever its other fields. */
  mayMatch(digests: Readonly<Partial<Record<DigestAlgorithm, string>>>): boolean;
  /**
   * Present when only digest equalities read the gate's digests (a hash list): whether an IOC
   * names the digest of `algorithm` given as bytes (`bytes[offset, offset + its width)`). An
   * object none of whose digests is named cannot match ({@link mayMatch} is false): a rescan rules
   * out cached files by their stored bytes.
   */
  readonly named?: (algorithm: DigestAlgorithm, bytes: Uint8Array, offset: number) => boolean;
}

/** Each digest's length in bytes. */
export const DIGEST_BYTES: Readonly<Record<DigestAlgorithm, number>> = { md5: 16, sha1: 20, sha256: 32 };

/**
 * The digests behind a set of FileItem fields (`Md5sum` → md5, ...), in a stable order.
 *
 * @example
 * ```ts
 * digestsFor(createPrefilter(plan, "FileItem", cheap).alwaysNeeded); // ["md5"] for a hash list
 * ```
 */
export function digestsFor(fields: Iterable<string>): DigestAlgorithm[] {
  const out = new Set<DigestAlgorithm>();
  for (const f of fields) {
    const d = ALGORITHM_OF_FIELD.get(f);
    if (d !== undefined) out.add(d);
  }
  return ALGORITHMS.filter((d) => out.has(d));
}

/**
 * The digests any IOC in the plan asks of files at all (FileItem `Md5sum`/`Sha1sum`/`Sha256sum`
 * items that can be evaluated). A digest no item needs is never computed.
 *
 * @example
 * ```ts
 * neededFileDigests(plan); // ["md5"] for the APT1 hash list
 * ```
 */
export function neededFileDigests(plan: EvaluationPlan): DigestAlgorithm[] {
  return digestsFor(plan.documents.get("FileItem")?.fields ?? []);
}

/**
 * Creates the prefilter of `document` given which of its fields are cheap (known before any
 * expensive work, e.g. FileItem `FileName`, `FullPath`, `FilePath`, `FileExtension`, `SizeInBytes`).
 *
 * @example
 * ```ts
 * const pre = createPrefilter(plan, "FileItem", ["FileName", "FullPath", "FilePath", "FileExtension", "SizeInBytes"]);
 * const d = pre.decide({ FileName: "gdocs.exe", SizeInBytes: 104448 });
 * if (d.mayMatch) hash(file, digestsFor(d.fields));
 * ```
 */
export function createPrefilter(plan: EvaluationPlan, document: string, cheapFields: Iterable<string>): Prefilter {
  const cheap = new Set(cheapFields);
  const docPlan = plan.documents.get(document);
  const channels = docPlan?.channels.filter((c) => cheap.has(c.field)) ?? [];
  const hits = new HitSet(plan.items.length);
  const isPendingItem = (item: PlanItem): boolean => item.status.kind === "supported" && item.document === document && !cheap.has(item.field);
  const isPending = (ref: number): boolean => isPendingItem(plan.items.shape(ref) as PlanItem);
  const leaf: LeafValue = (ref) => {
    const item = plan.items.shape(ref) as PlanItem;
    if (item.status.kind === "never") return FALSE;
    if (item.status.kind === "unknown" || isPending(ref)) return UNKNOWN;
    return hits.has(ref) !== item.negate ? TRUE : FALSE;
  };
  /**
   * A block's items are positive and supported: TRUE when one has a hit, else UNKNOWN when one is
   * pending. Taken span by span (the items of a span share status and field), so one pending ref
   * per span stands for its field.
   */
  const block: PendingBlock = (lo, hi, out) => {
    for (const r of hits.refs) if (r >= lo && r <= hi) return TRUE;
    let result: Tri = FALSE;
    for (let r = lo; r <= hi; ) {
      const span = plan.items.spanAt(r);
      if (span === undefined) break;
      if (span.first.status.kind === "unknown") result = UNKNOWN;
      else if (isPendingItem(span.first)) {
        result = UNKNOWN;
        out.push(r);
      }
      r = span.hi + 1;
    }
    return result;
  };
  // A positive item read from the cheap fields is FALSE unless a hit: it keys a wide OR's child.
  const keyed = new KeyedOrs((ref) => {
    const item = plan.items.shape(ref) as PlanItem;
    return item.status.kind === "supported" && !item.negate && !isPendingItem(item);
  });
  const orChildren: OrChildren = (node) => keyed.children(node, hits.refs);
  const pendingRefs: number[] = [];
  const decideUnit = (unit: PlanUnit, into: Set<string>): Tri => {
    pendingRefs.length = 0;
    const value = pendingLeaves(unit.tree, leaf, isPending, pendingRefs, block, orChildren);
    if (value === FALSE) return value;
    // A hash list leaves thousands of pending refs, all of one field.
    let last: string | undefined;
    for (const r of pendingRefs) {
      const field = (plan.items.shape(r) as PlanItem).field;
      if (field !== last) into.add((last = field));
    }
    return value;
  };

  // With no cheap condition holding, which units are still open, and what do they need?
  hits.clear();
  const alwaysNeeded = new Set<string>();
  let alwaysMay = false;
  for (const u of docPlan?.units ?? []) {
    if (decideUnit(plan.units[u] as PlanUnit, alwaysNeeded) !== FALSE) alwaysMay = true;
  }
  const baseline: PrefilterDecision = { mayMatch: alwaysMay, fields: alwaysNeeded };
  const seen = new Uint32Array(plan.units.length);
  let generation = 0;

  const onlyWhen = alwaysMay ? undefined : integerGate(channels);
  return {
    document,
    alwaysNeeded,
    ...(onlyWhen === undefined ? {} : { onlyWhen }),
    decide(cheapRecord) {
      hits.clear();
      matchFields(channels, cheapRecord, hits);
      if (hits.refs.length === 0) return baseline;
      const fields = new Set(alwaysNeeded);
      let mayMatch = alwaysMay;
      generation++;
      for (const ref of hits.refs) {
        const units = plan.unitsOfItem.at(ref);
        if (units === undefined) continue;
        for (const u of typeof units === "number" ? [units] : units) {
          if (seen[u] === generation) continue;
          seen[u] = generation;
          if (decideUnit(plan.units[u] as PlanUnit, fields) !== FALSE) mayMatch = true;
        }
      }
      return { mayMatch, fields };
    },
  };
}

/**
 * The digest gate of `document` for `algorithms` (those every object needs, e.g. the digests of a
 * prefilter's `alwaysNeeded`): a prefilter to which only these digests are known and everything
 * else (names, sizes, other digests, PE headers) is UNKNOWN. When it rules out an object with no
 * digest hit, no IOC can match an object whose digests it does not name, whatever its other
 * fields: then the gate decides each object from its digests. Otherwise undefined (an IOC could
 * match by a name, a size, a negated digest...).
 *
 * @example
 * ```ts
 * const gate = createDigestGate(plan, "FileItem", ["md5"]); // defined for a plain hash list
 * if (gate && !gate.mayMatch({ md5 })) skip(file);
 * ```
 */
export function createDigestGate(plan: EvaluationPlan, document: string, algorithms: readonly DigestAlgorithm[]): DigestGate | undefined {
  const byDigests = createPrefilter(
    plan,
    document,
    algorithms.map((algorithm) => DIGEST_FIELD[algorithm]),
  );
  if (algorithms.length === 0 || byDigests.decide({}).mayMatch) return undefined;
  const channels = plan.documents.get(document)?.channels ?? [];
  const reading = new Map(algorithms.map((algorithm) => [algorithm, channels.filter((c) => c.field === DIGEST_FIELD[algorithm])]));
  const byBytes = [...reading.values()].every((list) => list.every((c) => c.digestEqualityOnly));
  return {
    algorithms,
    mayMatch(digests) {
      const known: Record<string, string | undefined> = {};
      for (const algorithm of algorithms) known[DIGEST_FIELD[algorithm]] = digests[algorithm];
      return byDigests.decide(known).mayMatch;
    },
    ...(byBytes
      ? {
          named: (algorithm: DigestAlgorithm, bytes: Uint8Array, offset: number) =>
            reading.get(algorithm)?.some((c) => c.namesDigest(bytes, offset, DIGEST_BYTES[algorithm])) ?? false,
        }
      : {}),
  };
}

/** True when `digests` hold every digest `gate` decides from and it rules them out: no IOC can match. */
export function digestGateRulesOut(gate: DigestGate, digests: Readonly<Partial<Record<DigestAlgorithm, string>>>): boolean {
  return gate.algorithms.every((algorithm) => digests[algorithm] !== undefined) && !gate.mayMatch(digests);
}

/**
 * With no cheap item holding the object cannot match (the caller checked): if the cheap items all
 * read one integer field by exact value, that field's values are the gate.
 */
function integerGate(channels: readonly Channel[]): IntegerGate | undefined {
  const [only, ...others] = channels;
  if (only === undefined || others.length > 0 || only.view !== "value") return undefined;
  const values = only.exactIntegerKeys();
  return values === undefined ? undefined : { field: only.field, values };
}
