/**
 * Turns a TRUE IOC into a {@link Detection}: the units on its satisfied paths (every child of a
 * TRUE AND, the TRUE children of an OR), their evidence records merged per object, and the
 * satisfied item ids.
 *
 * @module
 */
import type { HostNode, PlanIoc, PlanItem, PlanItems } from "../compile/plan-types.js";
import { TRUE, type Tri } from "../compile/tri.js";
import type { EvidenceList } from "./evidence.js";
import type { Detection, DetectionObject, FieldValue } from "./types.js";

/** What the detection builder reads from the finished evaluation. */
export interface DetectionSource {
  value(node: HostNode): Tri;
  evidence(unit: number): EvidenceList | undefined;
}

function satisfiedUnits(node: HostNode, source: DetectionSource, out: Set<number>): void {
  if (source.value(node) !== TRUE) return;
  if (node.op === "unit") out.add(node.unit);
  else if (node.op !== "const") for (const c of node.children) satisfiedUnits(c, source, out);
}

interface MergedObject {
  document: string;
  id: string;
  fields: Record<string, FieldValue>;
  refs: Set<number>;
  actionable: boolean;
}

/** Builds the detection of a TRUE IOC. */
export function buildDetection(ioc: PlanIoc, items: PlanItems, source: DetectionSource): Detection {
  const units = new Set<number>();
  satisfiedUnits(ioc.root, source, units);
  const objects = new Map<string, MergedObject>();
  const allRefs = new Set<number>();
  let omitted = 0;
  for (const u of [...units].sort((a, b) => a - b)) {
    const list = source.evidence(u);
    if (list === undefined) continue;
    omitted += list.omitted;
    for (const e of list.kept) {
      const key = `${e.document}\u0000${e.id}`;
      let o = objects.get(key);
      if (o === undefined) objects.set(key, (o = { document: e.document, id: e.id, fields: {}, refs: new Set(), actionable: false }));
      Object.assign(o.fields, e.fields);
      for (const r of e.refs) {
        o.refs.add(r);
        allRefs.add(r);
      }
      o.actionable ||= e.actionable;
    }
  }
  const idsOf = (refs: Iterable<number>, keep: (item: PlanItem) => boolean = () => true): string[] => {
    const ids: string[] = [];
    const seen = new Set<string>();
    for (const r of [...refs].sort((a, b) => a - b)) {
      const item = items.at(r) as PlanItem;
      if (!keep(item) || seen.has(item.id)) continue;
      seen.add(item.id);
      ids.push(item.id);
    }
    return ids;
  };
  const detectionObjects: DetectionObject[] = [...objects.values()].map((o) => ({
    document: o.document,
    id: o.id,
    fields: o.fields,
    matchedItems: idsOf(o.refs),
    actionable: o.actionable,
  }));
  return {
    iocId: ioc.id,
    iocFile: ioc.file,
    iocTitle: ioc.title,
    matchedItems: idsOf(allRefs),
    mappedItems: idsOf(allRefs, (item) => item.mappedFrom !== undefined),
    objects: detectionObjects,
    omittedObjects: omitted,
  };
}
