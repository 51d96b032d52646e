/**
 * Public types of evaluation: the records it reads and the detections it returns (the shapes of
 * DESIGN.md section 5).
 *
 * @module
 */
import type { FieldValue } from "../compile/channel.js";
import type { Verdict } from "../compile/tri.js";

export type { FieldScalar, FieldValue } from "../compile/channel.js";

/**
 * One host object, as a collector or a snapshot gives it. Field keys are the OpenIOC search path
 * without `Document/` (`Md5sum`, `PEInfo/PETimeStamp`, `HandleList/Handle/Name`); a list-valued
 * field is an array; dates are ISO 8601 strings. A field that is absent (or null) was not found
 * on the object: items on it are FALSE, negated ones TRUE.
 *
 * A field the collector could not compute (a file too large to hash, unreadable, or gone before
 * it was read) is not "absent": it is listed in {@link HostRecord.unknownFields}, and items on it
 * are UNKNOWN on this record, negated or not (semantics 7.7), so an exclusion such as
 * `NOT Md5sum is <known-good>` can never turn TRUE for want of a digest.
 *
 * `id`: FileItem = full path, ProcessItem = pid, PortItem = `proto localIP:localPort
 * remoteIP:remotePort`, others their natural key.
 */
export interface HostRecord {
  readonly document: string;
  readonly id: string;
  readonly fields: Readonly<Record<string, FieldValue | null | undefined>>;
  /**
   * Field keys the collector was asked for but could not compute on this object. Items on them
   * evaluate UNKNOWN (negated too), whatever `fields` holds for the key.
   */
  readonly unknownFields?: readonly string[];
}

/** Options of `createEvaluation`. */
export interface EvaluationOptions {
  /**
   * Documents that were collected (a snapshot's `records` keys; a live scan's enabled
   * collectors), even if they yielded no record. Items on any other document are UNKNOWN, never
   * FALSE, so a negated item on an uncollected document can never turn TRUE. A document that
   * receives a record counts as collected too.
   */
  readonly availableDocuments: Iterable<string>;
  /** Records kept as evidence per binding unit (default 1000); more are counted, not kept. */
  readonly maxObjectsPerUnit?: number;
  /**
   * Continue from a state {@link Evaluation.saveState} returned for the same plan (a scan resumed
   * after a pause, a crash or a reboot): records already fed are not fed again.
   */
  readonly resumeFrom?: EvaluationState;
}

/**
 * Everything an evaluation has learnt from the records fed so far, as plain JSON: what a
 * checkpoint keeps instead of the records themselves. Valid only for the plan it came from
 * (`units`/`items` are checked on restore).
 */
export interface EvaluationState {
  readonly format: "iocscan-evaluation-state";
  readonly version: 1;
  readonly items: number;
  readonly units: number;
  /** `[unit, value]` for every unit that reached more than FALSE. */
  readonly unitValues: readonly (readonly [number, number])[];
  readonly evidence: readonly EvidenceState[];
  readonly available: readonly string[];
  /** Per document, its vacuous units not yet settled. */
  readonly pendingVacuous: readonly (readonly [string, readonly number[]])[];
}

/** The evidence kept for one unit. */
export interface EvidenceState {
  readonly unit: number;
  readonly matched: number;
  readonly kept: readonly {
    readonly document: string;
    readonly id: string;
    readonly fields: Readonly<Record<string, FieldValue>>;
    readonly refs: readonly number[];
    readonly actionable: boolean;
  }[];
}

/** A record bound by a detection, with what was observed on it. */
export interface DetectionObject {
  readonly document: string;
  readonly id: string;
  /** Observed values of the fields the satisfied items read (list fields: the elements that matched). */
  readonly fields: Readonly<Record<string, FieldValue>>;
  /** IndicatorItem ids satisfied on this record. */
  readonly matchedItems: readonly string[];
  /**
   * False when the record is bound only through negated items (semantics 7.6 b) or `is ""`
   * items (semantics 6.2), or both: report it, never quarantine, delete or kill it.
   */
  readonly actionable: boolean;
}

/** One IOC that is TRUE on the host. */
export interface Detection {
  readonly iocId: string;
  readonly iocFile: string;
  readonly iocTitle: string;
  /** IndicatorItem ids that were satisfied, in document order, without repeats. */
  readonly matchedItems: readonly string[];
  /** The subset of {@link matchedItems} evaluated through event (or network) term mapping. */
  readonly mappedItems: readonly string[];
  readonly objects: readonly DetectionObject[];
  /** Matching records not kept as objects (beyond `maxObjectsPerUnit`). */
  readonly omittedObjects: number;
}

/** The outcome of one IOC, detection or not, with its coverage. */
export interface IocVerdict {
  readonly iocId: string;
  readonly iocFile: string;
  readonly iocTitle: string;
  /** Only "true" is a detection; "unknown" means iocscan could not decide (unsupported or uncollected items). */
  readonly verdict: Verdict;
  readonly items: number;
  readonly supportedItems: number;
}

/** A streaming evaluation of one host against a plan. */
export interface Evaluation {
  /** Feeds one record. Cheap: index look-ups, then full evaluation only of the subtrees it may satisfy. */
  addRecord(record: HostRecord): void;
  /** Ends the stream and returns the detections. Call once. */
  finish(): Detection[];
  /** Every IOC's verdict; available after {@link finish}. */
  verdicts(): IocVerdict[];
  /** What the records fed so far established, for a checkpoint; call between records, before finish. */
  saveState(): EvaluationState;
}
