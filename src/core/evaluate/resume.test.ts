/**
 * A checkpointed evaluation gives the same detections as one that was never interrupted: the
 * records are split at a random point, the state saved after the first part goes through JSON
 * (as it does on disk), and a new evaluation restored from it takes the rest.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createEvaluation } from "./evaluation.js";
import { build, fileRec, procRec, tree } from "./_test-arbitraries.js";
import { and, ioc, item, or, plan, record } from "./_test-builders.js";
import type { EvaluationState, HostRecord } from "./types.js";
import type { EvaluationPlan } from "../compile/index.js";

const documents = ["FileItem", "ProcessItem"];

function uninterrupted(p: EvaluationPlan, records: readonly HostRecord[], maxObjectsPerUnit?: number) {
  const e = createEvaluation(p, { availableDocuments: documents, ...(maxObjectsPerUnit ? { maxObjectsPerUnit } : {}) });
  for (const r of records) e.addRecord(r);
  return e.finish();
}

function resumed(p: EvaluationPlan, records: readonly HostRecord[], cuts: readonly number[], maxObjectsPerUnit?: number) {
  let state: EvaluationState | undefined;
  let from = 0;
  for (const cut of [...cuts, records.length]) {
    const e = createEvaluation(p, { availableDocuments: documents, ...(maxObjectsPerUnit ? { maxObjectsPerUnit } : {}), ...(state ? { resumeFrom: state } : {}) });
    for (const r of records.slice(from, cut)) e.addRecord(r);
    from = cut;
    if (cut === records.length) return e.finish();
    state = JSON.parse(JSON.stringify(e.saveState())) as EvaluationState;
  }
  throw new Error("unreachable");
}

describe("evaluation state (checkpoint and resume)", () => {
  it("resuming from saved states anywhere gives the detections of an uninterrupted evaluation", () => {
    fc.assert(
      fc.property(
        tree,
        fc.array(fileRec, { minLength: 1, maxLength: 4 }),
        fc.array(procRec, { minLength: 1, maxLength: 3 }),
        fc.array(fc.nat(), { maxLength: 3 }),
        fc.option(fc.constantFrom(1, 2), { nil: undefined }),
        (t, files, procs, cutSeeds, limit) => {
          const root = build(t);
          const p = plan(ioc(root.kind === "item" ? or(root) : root));
          const records = [...files.map((f, i) => record("FileItem", `/f${i}`, f)), ...procs.map((r, i) => record("ProcessItem", String(i), r))];
          const cuts = [...new Set(cutSeeds.map((s) => s % (records.length + 1)))].sort((a, b) => a - b);
          expect(resumed(p, records, cuts, limit)).toEqual(uninterrupted(p, records, limit));
        },
      ),
      { numRuns: 1500 },
    );
  });

  it("keeps evidence and counts of omitted objects across a resume", () => {
    const p = plan([ioc(and(item("FileItem/FileName", "contains", "evil"), item("FileItem/SizeInBytes", "greater-than", "10")), { id: "a" }), ioc(and(item("FileItem/FileName", "contains", "evil"), item("FileItem/FileName", "is", "evil3", { negate: true })), { id: "b" })]);
    const records = Array.from({ length: 6 }, (_, i) => record("FileItem", `/d/evil${i}`, { FileName: `evil${i}`, SizeInBytes: 100 + i }));
    const whole = uninterrupted(p, records, 2);
    expect(whole.map((d) => d.iocId).sort()).toEqual(["a", "b"]);
    expect(whole.find((d) => d.iocId === "a")?.omittedObjects).toBe(4);
    expect(resumed(p, records, [3], 2)).toEqual(whole);
  });

  it("refuses a state saved for another plan", () => {
    const small = plan(ioc(or(item("FileItem/FileName", "is", "a"))));
    const other = plan(ioc(or(item("FileItem/FileName", "is", "a"), item("FileItem/FileName", "is", "b"))));
    const state = createEvaluation(small, { availableDocuments: documents }).saveState();
    expect(() => createEvaluation(other, { availableDocuments: documents, resumeFrom: state })).toThrow(/another plan/);
  });
});
