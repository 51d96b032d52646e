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
import { HitSet, matchFields } from "../compile/hit-set.js";
import type { DocumentPlan, EvaluationPlan, HostNode, PlanUnit } from "../compile/plan-types.js";
import { evaluateTree, satisfiedLeaves, type LeafValue } from "../compile/record-tree.js";
import { FALSE, TRUE, UNKNOWN, verdictOf, type Tri } from "../compile/tri.js";
import { buildDetection } from "./detection.js";
import { EvidenceBuilder, EvidenceList } from "./evidence.js";
import type { Detection, Evaluation, EvaluationOptions, HostRecord, IocVerdict } from "./types.js";

const DEFAULT_MAX_OBJECTS_PER_UNIT = 1000;
/** Marks a supported item in {@link StreamingEvaluation.constants}. */
const LIVE = 3;

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
  /** Per item: its fixed value (FALSE/UNKNOWN) or {@link LIVE}. */
  private readonly constants: Uint8Array;
  private readonly negated: Uint8Array;
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
    this.constants = new Uint8Array(n);
    this.negated = new Uint8Array(n);
    plan.items.forEach((item, ref) => {
      this.constants[ref] = item.status.kind === "supported" ? LIVE : item.status.kind === "never" ? FALSE : UNKNOWN;
      this.negated[ref] = item.negate ? 1 : 0;
    });
    this.unitValues = new Uint8Array(plan.units.length);
    this.candidateStamp = new Uint32Array(plan.units.length);
    this.evidence = new Array<EvidenceList | undefined>(plan.units.length);
    for (const d of options.availableDocuments) this.available.add(d);
    for (const [doc, dp] of plan.documents) if (dp.vacuousUnits.length > 0) this.pendingVacuous.set(doc, [...dp.vacuousUnits]);
    this.builder = new EvidenceBuilder(plan);
    this.maxObjects = options.maxObjectsPerUnit ?? DEFAULT_MAX_OBJECTS_PER_UNIT;
  }

  /** An item's value on the current record, negation applied. */
  private readonly leaf: LeafValue = (ref) => {
    const c = this.constants[ref] as number;
    if (c !== LIVE) return c as Tri;
    return this.hits.has(ref) !== (this.negated[ref] === 1) ? TRUE : FALSE;
  };

  addRecord(record: HostRecord): void {
    if (this.finished) throw new Error("addRecord after finish");
    this.available.add(record.document);
    const docPlan = this.plan.documents.get(record.document);
    if (docPlan === undefined) return;
    this.hits.clear();
    matchFields(docPlan.channels, record.fields, this.hits);
    this.collectCandidates();
    for (const u of this.candidates) this.evaluateUnit(u, record);
    this.settleVacuous(docPlan, record);
  }

  /** The units that a hit item belongs to; a unit FALSE on an empty record needs a positive hit. */
  private collectCandidates(): void {
    this.generation++;
    this.candidates.length = 0;
    for (const ref of this.hits.refs) {
      const units = this.plan.unitsOfItem[ref];
      if (units === undefined) continue;
      if (typeof units === "number") this.considerCandidate(units, ref);
      else for (const u of units) this.considerCandidate(u, ref);
    }
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
    // Block leaves are positive items of this record's document: worth TRUE exactly when hit.
    const value = evaluateTree(unit.tree, this.leaf, this.hits.anyInRange);
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
    satisfiedLeaves(unit.tree, this.leaf, refs);
    const actionable = refs.some((r) => this.constants[r] === LIVE && this.negated[r] === 0);
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
