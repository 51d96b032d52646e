/**
 * Streaming evaluation of one host against a plan: records go in one at a time (a live scan of
 * a million files never holds them all), detections come out at the end.
 *
 * Per record: the document's channels find the items whose conditions hold (hash look-ups,
 * one automaton pass per text field, binary searches); only the units those items belong to are
 * evaluated on the record. Units that can be satisfied without any of their conditions holding
 * (an OR with a negated item, say) are settled by the first record that misses them all.
 *
 * @module
 */
import { HitSet, matchDocument } from "../compile/hit-set.js";
import { KeyedOrs, type OrChildren } from "../compile/keyed-or.js";
import type { DocumentPlan, EvaluationPlan, HostNode, ItemSpan, PlanItem, PlanUnit } from "../compile/plan-types.js";
import { evaluateTree, satisfiedLeaves, type BlockHits, type LeafValue } from "../compile/record-tree.js";
import { FALSE, TRUE, UNKNOWN, verdictOf, type Tri } from "../compile/tri.js";
import { buildDetection } from "./detection.js";
import { EvidenceBuilder, EvidenceList } from "./evidence.js";
import { itemTables, LIVE } from "./item-tables.js";
import type { Detection, Evaluation, EvaluationOptions, EvaluationState, HostRecord, IocVerdict } from "./types.js";

const DEFAULT_MAX_OBJECTS_PER_UNIT = 1000;

/**
 * Starts evaluating one host against `plan`.
 *
 * @example
 * ```ts
 * const run = createEvaluation(plan, { availableDocuments: ["FileItem", "ProcessItem"] });
 * for await (const record of collect()) run.addRecord(record);
 * for (const d of run.finish()) console.log(d.iocTitle, d.objects.map((o) => o.id));
 * run.verdicts().filter((v) => v.verdict === "unknown"); // IOCs this host could not decide
 * ```
 */
export function createEvaluation(plan: EvaluationPlan, options: EvaluationOptions): Evaluation {
  return new StreamingEvaluation(plan, options);
}

class StreamingEvaluation implements Evaluation {
  private readonly hits: HitSet;
  /** Per item, shared by every evaluation of the plan (read-only): see {@link itemTables}. */
  private readonly constants: Uint8Array;
  private readonly negated: Uint8Array;
  private readonly actsOn: Uint8Array;
  /**
   * The current record's fields that it could not compute and that supported items read. Kept
   * by field, not by item: a million-item hash list on a file that could not be read is one
   * field, not a million stamps.
   */
  private readonly unknownFields = new Set<string>();
  /** True while the current record has unknown fields that supported items read. */
  private recordHasUnknown = false;
  /** Per document, per field key: the units holding supported items that read it (built on first need). */
  private readonly unitsByField = new Map<string, Map<string, number[]>>();
  /** Units holding an item on one of the current record's unknown fields. */
  private readonly unknownUnits: number[] = [];
  /** Best value each unit reached on some record. */
  private readonly unitValues: Uint8Array;
  private readonly evidence: (EvidenceList | undefined)[];
  private readonly candidateStamp: Uint32Array;
  private generation = 0;
  private readonly available = new Set<string>();
  /** Per document: vacuous units not yet settled by a record that misses them. */
  private readonly pendingVacuous = new Map<string, number[]>();
  private readonly builder: EvidenceBuilder;
  private readonly maxObjects: number;
  private finished: Tri[] | undefined;
  private readonly candidates: number[] = [];

  constructor(
    private readonly plan: EvaluationPlan,
    options: EvaluationOptions,
  ) {
    const n = plan.items.length;
    this.hits = new HitSet(n);
    ({ constants: this.constants, negated: this.negated, actsOn: this.actsOn } = itemTables(plan));
    this.unitValues = new Uint8Array(plan.units.length);
    this.candidateStamp = new Uint32Array(plan.units.length);
    this.evidence = new Array<EvidenceList | undefined>(plan.units.length);
    for (const d of options.availableDocuments) this.available.add(d);
    for (const [doc, dp] of plan.documents) if (dp.vacuousUnits.length > 0) this.pendingVacuous.set(doc, [...dp.vacuousUnits]);
    this.builder = new EvidenceBuilder(plan);
    this.maxObjects = options.maxObjectsPerUnit ?? DEFAULT_MAX_OBJECTS_PER_UNIT;
    if (options.resumeFrom) this.restore(options.resumeFrom);
  }

  saveState(): EvaluationState {
    if (this.finished) throw new Error("saveState after finish");
    const unitValues: [number, number][] = [];
    this.unitValues.forEach((value, u) => {
      if (value !== FALSE) unitValues.push([u, value]);
    });
    const evidence: EvaluationState["evidence"][number][] = [];
    this.evidence.forEach((list, unit) => {
      if (list !== undefined) evidence.push({ unit, matched: list.matched, kept: list.kept.map((e) => ({ ...e, fields: { ...e.fields }, refs: [...e.refs] })) });
    });
    return {
      format: "iocscan-evaluation-state",
      version: 1,
      items: this.plan.items.length,
      units: this.plan.units.length,
      unitValues,
      evidence,
      available: [...this.available],
      pendingVacuous: [...this.pendingVacuous].map(([doc, units]) => [doc, [...units]] as const),
    };
  }

  private restore(state: EvaluationState): void {
    if (state.format !== "iocscan-evaluation-state" || state.version !== 1) throw new Error("not an evaluation state of this version");
    if (state.items !== this.plan.items.length || state.units !== this.plan.units.length) {
      throw new Error(`the saved evaluation state belongs to another plan (${state.items} items, ${state.units} units; this plan has ${this.plan.items.length} and ${this.plan.units.length})`);
    }
    const unit = (u: number): number => {
      if (!Number.isInteger(u) || u < 0 || u >= this.plan.units.length) throw new Error(`saved evaluation state names unit ${u}, outside the plan`);
      return u;
    };
    for (const [u, value] of state.unitValues) {
      if (value !== TRUE && value !== UNKNOWN) throw new Error(`saved evaluation state gives unit ${u} the value ${value}`);
      this.unitValues[unit(u)] = value;
    }
    for (const e of state.evidence) this.evidence[unit(e.unit)] = EvidenceList.restore(this.maxObjects, e.matched, e.kept);
    for (const d of state.available) this.available.add(d);
    this.pendingVacuous.clear();
    for (const [doc, units] of state.pendingVacuous) this.pendingVacuous.set(doc, units.map(unit));
  }

  /** An item's value on the current record, negation applied. */
  private readonly leaf: LeafValue = (ref) => {
    const c = this.constants[ref] as number;
    if (c !== LIVE) return c as Tri;
    if (this.recordHasUnknown && this.unknownFields.has((this.plan.items.shape(ref) as PlanItem).field)) return UNKNOWN;
    return this.hits.has(ref) !== (this.negated[ref] === 1) ? TRUE : FALSE;
  };

  /** A live positive item is FALSE on a record (whose fields are all known) unless a hit. */
  private readonly keyedOrs = new KeyedOrs((ref) => this.constants[ref] === LIVE && this.negated[ref] === 0);
  private readonly orChildren: OrChildren = (node) => this.keyedOrs.children(node, this.hits.refs);

  /**
   * A block's value on a record with unknown fields, span by span (the items of a span read one
   * field): TRUE when a hit is on a known field, else UNKNOWN when a span's field is unknown
   * (a value present for an unknown field is not trusted), else FALSE.
   */
  private readonly unknownBlock = (lo: number, hi: number): Tri => {
    let unknown = false;
    const hit = this.someSpan(lo, hi, (from, to, field) => {
      if (!this.unknownFields.has(field)) return this.hits.anyInRange(from, to);
      unknown = true;
      return false;
    });
    return hit ? TRUE : unknown ? UNKNOWN : FALSE;
  };

  /** The satisfied leaves of blocks on a record with unknown fields: the hits on known fields. */
  private readonly knownHits: BlockHits = {
    anyInRange: (lo, hi) => this.unknownBlock(lo, hi) === TRUE,
    inRange: (lo, hi, out) =>
      void this.someSpan(lo, hi, (from, to, field) => {
        if (!this.unknownFields.has(field)) this.hits.inRange(from, to, out);
        return false;
      }),
  };

  /**
   * Visits refs `lo`..`hi` a span at a time (items that share their fields, a hash list among
   * them: one field for all), in order, until `visit` returns true; whether it did.
   */
  private someSpan(lo: number, hi: number, visit: (from: number, to: number, field: string) => boolean): boolean {
    for (let ref = lo; ref <= hi; ) {
      const span = this.plan.items.spanAt(ref) as ItemSpan;
      const to = Math.min(span.hi, hi);
      if (visit(ref, to, span.first.field)) return true;
      ref = to + 1;
    }
    return false;
  }

  /** The last record's document and its plan: records come in runs of one document. */
  private lastDocument: string | undefined;
  private lastDocPlan: DocumentPlan | undefined;

  addRecord(record: HostRecord): void {
    if (this.finished) throw new Error("addRecord after finish");
    let docPlan: DocumentPlan | undefined;
    if (record.document === this.lastDocument) docPlan = this.lastDocPlan;
    else {
      this.available.add(record.document);
      docPlan = this.plan.documents.get(record.document);
      this.lastDocument = record.document;
      this.lastDocPlan = docPlan;
    }
    if (docPlan === undefined) return;
    this.hits.clear();
    this.markUnknown(record);
    matchDocument(docPlan, record.fields, this.hits, this.recordHasUnknown);
    this.collectCandidates();
    for (const u of this.candidates) this.evaluateUnit(u, record);
    if (this.recordHasUnknown) this.evaluateUnknownUnits(record);
    this.settleVacuous(docPlan, record);
  }

  /**
   * Stamps the items reading a field the record could not compute: they are UNKNOWN on it
   * (semantics 7.7), and every unit holding one is evaluated on the record, not assumed vacuous
   * or FALSE (a hash IOC is UNKNOWN, not FALSE, on a host with a file it could not hash).
   */
  private markUnknown(record: HostRecord): void {
    this.recordHasUnknown = false;
    this.unknownUnits.length = 0;
    this.unknownFields.clear();
    const unknown = record.unknownFields;
    if (unknown === undefined || unknown.length === 0) return;
    const byField = this.fieldIndex(record.document);
    for (const field of unknown) {
      const units = byField.get(field);
      if (units === undefined) continue;
      this.unknownFields.add(field);
      for (const u of units) this.unknownUnits.push(u);
      this.recordHasUnknown = true;
    }
  }

  private fieldIndex(document: string): Map<string, number[]> {
    let byField = this.unitsByField.get(document);
    if (byField !== undefined) return byField;
    const sets = new Map<string, Set<number>>();
    for (const { lo, hi, first: item } of this.plan.items.spans()) {
      if (item.document !== document || item.status.kind !== "supported") continue;
      let units = sets.get(item.field);
      if (units === undefined) sets.set(item.field, (units = new Set()));
      let last: number | readonly number[] | undefined;
      for (let ref = lo; ref <= hi; ref++) {
        const of = this.plan.unitsOfItem.at(ref);
        // A run's items are mostly in one unit: each unit once.
        if (of === undefined || of === last) continue;
        last = of;
        if (typeof of === "number") units.add(of);
        else for (const u of of) units.add(u);
      }
    }
    byField = new Map([...sets].map(([field, units]) => [field, [...units]]));
    this.unitsByField.set(document, byField);
    return byField;
  }

  /**
   * Units holding an item on an unknown field that no hit made a candidate: on this record they
   * are at most UNKNOWN (their value with no hit is FALSE, and unknown leaves can only move it
   * towards UNKNOWN), so only those not yet UNKNOWN need a look. Vacuous units are left to
   * {@link settleVacuous}.
   */
  private evaluateUnknownUnits(record: HostRecord): void {
    for (const u of this.unknownUnits) {
      if (this.candidateStamp[u] === this.generation || (this.unitValues[u] as number) >= UNKNOWN) continue;
      const unit = this.plan.units[u] as PlanUnit;
      if (unit.vacuous !== FALSE) continue;
      this.candidateStamp[u] = this.generation;
      this.evaluateUnit(u, record);
    }
  }

  /** The units that a hit item belongs to; a unit FALSE on an empty record needs a positive hit. */
  private collectCandidates(): void {
    this.generation++;
    this.candidates.length = 0;
    for (const ref of this.hits.refs) {
      const units = this.plan.unitsOfItem.at(ref);
      if (units === undefined) continue;
      if (typeof units === "number") this.considerCandidate(units, ref);
      else for (const u of units) this.considerCandidate(u, ref);
    }
  }

  /** Whether an item of this record's unknown fields appears in `unit`. */
  private touchesUnknown(unit: PlanUnit): boolean {
    return unit.items.some(({ lo, hi }) => this.someSpan(lo, hi, (_from, _to, field) => this.unknownFields.has(field)));
  }

  private considerCandidate(u: number, ref: number): void {
    if (this.candidateStamp[u] === this.generation) return;
    // Monotonicity: if the unit is FALSE when nothing holds, a hit on a negated item alone can
    // only keep it FALSE.
    if (this.negated[ref] === 1 && (this.plan.units[u] as PlanUnit).vacuous === FALSE) return;
    this.candidateStamp[u] = this.generation;
    this.candidates.push(u);
  }

  private evaluateUnit(u: number, record: HostRecord): void {
    const unit = this.plan.units[u] as PlanUnit;
    // Block leaves are positive items of this record's document: worth TRUE exactly when hit
    // (unless a field is unknown on the record: then span by span).
    // On a record with an unknown field a key may be UNKNOWN, not FALSE: every child is visited.
    const value = this.recordHasUnknown
      ? evaluateTree(unit.tree, this.leaf, undefined, this.unknownBlock)
      : evaluateTree(unit.tree, this.leaf, this.hits.anyInRange, undefined, this.orChildren);
    if (value > (this.unitValues[u] as number)) this.unitValues[u] = value;
    if (value === TRUE) this.keep(unit, record);
  }

  /** Vacuous units take their vacuous value from the first record none of their items hold on. */
  private settleVacuous(docPlan: DocumentPlan, record: HostRecord): void {
    const pending = this.pendingVacuous.get(docPlan.document);
    if (pending === undefined || pending.length === 0) return;
    const still: number[] = [];
    for (const u of pending) {
      // A vacuous unit is a candidate for every hit, negated or not: "touched" means some item held.
      if (this.candidateStamp[u] === this.generation) {
        still.push(u);
        continue;
      }
      const unit = this.plan.units[u] as PlanUnit;
      if (this.recordHasUnknown && this.touchesUnknown(unit)) {
        // Not a record that misses every item: some are UNKNOWN on it. Evaluate it here, and
        // leave the unit to a later record unless this one gave it its vacuous value anyway.
        const value = evaluateTree(unit.tree, this.leaf);
        if (value > (this.unitValues[u] as number)) this.unitValues[u] = value;
        if (value === TRUE) this.keep(unit, record);
        if (value !== unit.vacuous) still.push(u);
        continue;
      }
      if (unit.vacuous > (this.unitValues[u] as number)) this.unitValues[u] = unit.vacuous;
      if (unit.vacuous === TRUE) this.keep(unit, record);
    }
    this.pendingVacuous.set(docPlan.document, still);
  }

  private keep(unit: PlanUnit, record: HostRecord): void {
    const kept = this.evidence[unit.index];
    if (kept?.saturated === true) {
      // Full of actionable records already: a unit that holds on every file only counts them.
      kept.matched++;
      return;
    }
    const refs: number[] = [];
    // A block's satisfied leaves are its hits (on a record with unknown fields, those on known ones).
    satisfiedLeaves(unit.tree, this.leaf, refs, this.recordHasUnknown ? this.knownHits : this.hits);
    const actionable = refs.some((r) => this.actsOn[r] === 1);
    let list = this.evidence[unit.index];
    if (list === undefined) this.evidence[unit.index] = list = new EvidenceList(this.maxObjects);
    list.offer(actionable, () => this.builder.build(record, refs));
  }

  private unitValue(u: number): Tri {
    const unit = this.plan.units[u] as PlanUnit;
    return this.available.has(unit.document) ? (this.unitValues[u] as Tri) : unit.ifUncollected;
  }

  private hostValue(node: HostNode): Tri {
    switch (node.op) {
      case "const":
        return node.value;
      case "unit":
        return this.unitValue(node.unit);
      case "and": {
        let result: Tri = TRUE;
        for (const c of node.children) result = Math.min(result, this.hostValue(c)) as Tri;
        return node.children.length === 0 ? FALSE : result;
      }
      case "or": {
        let result: Tri = FALSE;
        for (const c of node.children) result = Math.max(result, this.hostValue(c)) as Tri;
        return result;
      }
    }
  }

  finish(): Detection[] {
    if (this.finished) throw new Error("finish called twice");
    this.finished = this.plan.iocs.map((ioc) => this.hostValue(ioc.root));
    const detections: Detection[] = [];
    this.plan.iocs.forEach((ioc, i) => {
      if (this.finished?.[i] !== TRUE) return;
      detections.push(
        buildDetection(ioc, this.plan.items, {
          value: (node) => this.hostValue(node),
          evidence: (u) => this.evidence[u],
        }),
      );
    });
    return detections;
  }

  verdicts(): IocVerdict[] {
    const values = this.finished;
    if (values === undefined) throw new Error("verdicts() before finish()");
    return this.plan.iocs.map((ioc, i) => ({
      iocId: ioc.id,
      iocFile: ioc.file,
      iocTitle: ioc.title,
      verdict: verdictOf(values[i] ?? FALSE),
      items: ioc.items,
      supportedItems: ioc.supportedItems,
    }));
  }
}
