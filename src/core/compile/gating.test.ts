/**
 * Gating (gating.ts): which items are gated behind which guards, and that a gated plan gives
 * exactly the results of the same plan without gating, on random IOCs and records (unknown
 * fields, list fields, negations, UNKNOWN items, several IOCs sharing channels).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { and, ioc, item, not, or, plan, record } from "../evaluate/_test-builders.js";
import { createEvaluation } from "../evaluate/evaluation.js";
import type { HostRecord } from "../evaluate/types.js";
import type { IndicatorNode, IocDocument } from "../ioc/model.js";
import { compilePlan } from "./compile.js";
import type { EvaluationPlan } from "./plan-types.js";
import { createPrefilter } from "./prefilter.js";

const md5 = (n: number) => n.toString(16).padStart(32, "0");

/** The gated items of a plan's FileItem document, as `gated ref -> refs of the guards opening its channel`. */
function gatedOf(p: EvaluationPlan): Map<number, number[]> {
  const doc = p.documents.get("FileItem");
  const out = new Map<number, number[]>();
  // Gated items are those an eager match never reports: find them by matching each item's own value.
  for (const i of p.items) {
    if (i.document !== "FileItem" || i.status.kind !== "supported") continue;
    const channel = doc?.channels.find((c) => c.field === i.field && c.view === i.view);
    let eager = false;
    let gated = false;
    const value = i.type === "int" || i.type === "uint64" ? Number(i.value) : i.value;
    channel?.matchEager(value, (r) => (eager ||= r === i.ref));
    channel?.matchGated(value, (r) => (gated ||= r === i.ref));
    if (gated && channel !== undefined) out.set(i.ref, [...(doc?.guards ?? [])].filter(([, cs]) => cs.includes(channel)).map(([g]) => g));
    expect(eager && gated).toBe(false);
  }
  return out;
}

describe("gating: which items wait for a guard", () => {
  it("FileName is X AND SizeInBytes is N: the name waits for the size (the cheaper look-up)", () => {
    const p = plan(ioc(or(item("FileItem/Md5sum", "is", md5(1)), and(item("FileItem/FileName", "is", "gdocs.exe"), item("FileItem/SizeInBytes", "is", "104448", { contentType: "int" })))));
    const doc = p.documents.get("FileItem");
    expect([...(doc?.guards.keys() ?? [])]).toEqual([2]);
    expect(doc?.guards.get(2)?.map((c) => c.field)).toEqual(["FileName"]);
    expect(doc?.eagerChannels.map((c) => c.field).sort()).toEqual(["Md5sum", "SizeInBytes"]);
    expect(doc?.channels).toHaveLength(3);
    expect([...gatedOf(p)]).toEqual([[1, [2]]]);
  });

  it("an item that also stands alone in an OR, a negated item, an OR's children and a lone AND child are not gated", () => {
    const name = item("FileItem/FileName", "is", "a.exe");
    const p = plan([
      ioc(or(and(name, item("FileItem/SizeInBytes", "is", "1", { contentType: "int" })), or(item("FileItem/FullPath", "is", "/x")))),
      ioc(and(item("FileItem/SizeInBytes", "is", "2", { contentType: "int" }), not(item("FileItem/FileName", "is", "b.exe")))),
      ioc(and(item("FileItem/SizeInBytes", "is", "3", { contentType: "int" }), or(item("FileItem/FileName", "is", "c.exe"), item("FileItem/FullPath", "is", "/c")))),
    ]);
    // IOC 0: the name is gated (its only occurrence is beside the size); nothing else is.
    expect([...gatedOf(p).keys()]).toEqual([0]);
  });

  it("DNF copies: an item gated in one conjunction but exposed in another stays eager", () => {
    // (FileName a AND (Size 1 OR Process x)): local DNF puts the name beside the size in one
    // unit and alone in another (bound with the process).
    const p = plan(ioc(and(item("FileItem/FileName", "is", "a"), or(item("FileItem/SizeInBytes", "is", "1", { contentType: "int" }), item("ProcessItem/name", "is", "x")))));
    expect(gatedOf(p).size).toBe(0);
  });

  it("gateItems: false gates nothing", () => {
    const d = ioc(and(item("FileItem/FileName", "is", "gdocs.exe"), item("FileItem/SizeInBytes", "is", "104448", { contentType: "int" })));
    const p = compilePlan([{ file: "x.ioc", document: d }], { gateItems: false });
    expect(p.documents.get("FileItem")?.guards.size).toBe(0);
    expect(p.documents.get("FileItem")?.eagerChannels).toHaveLength(2);
  });

  it("a gated pair is detected with both items as evidence, and only on the record holding both", () => {
    const name = item("FileItem/FileName", "is", "gdocs.exe", { id: "name" });
    const size = item("FileItem/SizeInBytes", "is", "104448", { contentType: "int", id: "size" });
    const p = plan(ioc(and(name, size)));
    const run = (records: HostRecord[]) => {
      const e = createEvaluation(p, { availableDocuments: ["FileItem"] });
      for (const r of records) e.addRecord(r);
      return { detections: e.finish(), verdict: e.verdicts()[0]?.verdict };
    };
    const onlyName = record("FileItem", "/a/gdocs.exe", { FileName: "GDOCS.EXE", SizeInBytes: 1 });
    const onlySize = record("FileItem", "/b/x", { FileName: "x", SizeInBytes: 104448 });
    expect(run([onlyName, onlySize]).verdict).toBe("false");
    const both = record("FileItem", "/c/gdocs.exe", { FileName: "gdocs.exe", SizeInBytes: 104448 });
    const { detections } = run([onlyName, both, onlySize]);
    expect(detections[0]?.objects.map((o) => [o.id, o.matchedItems])).toEqual([["/c/gdocs.exe", ["name", "size"]]]);
    // The size unknown on a record of that name: UNKNOWN, not FALSE (the gated name is matched).
    expect(run([{ ...onlyName, fields: { FileName: "gdocs.exe" }, unknownFields: ["SizeInBytes"] }]).verdict).toBe("unknown");
  });
});

// --- property: gated and ungated plans give the same results ------------------------------------

type LeafSpec = { term: string; condition: "is" | "contains" | "ends-with" | "greater-than"; value: string; contentType: string; negate: boolean };

const leafSpec: fc.Arbitrary<LeafSpec> = fc
  .oneof(
    fc.record({ term: fc.constant("FileItem/FileName"), condition: fc.constantFrom("is" as const, "contains" as const, "ends-with" as const), value: fc.constantFrom("a", "b", "ab"), contentType: fc.constant("string") }),
    fc.record({ term: fc.constant("FileItem/SizeInBytes"), condition: fc.constantFrom("is" as const, "is" as const, "greater-than" as const), value: fc.constantFrom("1", "2", "1 TO 2"), contentType: fc.constant("int") }),
    fc.record({ term: fc.constant("FileItem/Md5sum"), condition: fc.constant("is" as const), value: fc.constantFrom(md5(1), md5(2)), contentType: fc.constant("md5") }),
    fc.record({ term: fc.constant("FileItem/StringList/string"), condition: fc.constantFrom("is" as const, "contains" as const), value: fc.constantFrom("x", "y"), contentType: fc.constant("string") }),
    fc.record({ term: fc.constant("FileItem/NoSuchTerm"), condition: fc.constant("is" as const), value: fc.constant("z"), contentType: fc.constant("string") }),
    fc.record({ term: fc.constant("ProcessItem/name"), condition: fc.constant("is" as const), value: fc.constantFrom("a", "b"), contentType: fc.constant("string") }),
  )
  .chain((l) => fc.boolean().map((negate) => ({ ...l, negate })));

type TreeSpec = { leaf: LeafSpec } | { op: "and" | "or"; children: TreeSpec[] };
const treeSpec: fc.Arbitrary<TreeSpec> = fc.letrec<{ node: TreeSpec }>((tie) => ({
  node: fc.oneof(
    { maxDepth: 3, withCrossShrink: true },
    fc.record({ leaf: leafSpec }),
    fc.record({ op: fc.constantFrom("and" as const, "and" as const, "or" as const), children: fc.array(tie("node"), { minLength: 1, maxLength: 4 }) }),
  ),
})).node;

function build(t: TreeSpec): IndicatorNode {
  if ("leaf" in t) {
    const l = t.leaf;
    const i = item(l.term, l.condition, l.value, { contentType: l.contentType });
    return l.negate ? not(i) : i;
  }
  const children = t.children.map(build);
  return t.op === "and" ? and(...children) : or(...children);
}

const FILE_FIELDS = ["FileName", "SizeInBytes", "Md5sum", "StringList/string"] as const;
const fileRecord = fc.record(
  {
    FileName: fc.constantFrom("a", "b", "ab", "c", "AB"),
    SizeInBytes: fc.constantFrom(1, 2, 3),
    Md5sum: fc.constantFrom(md5(1), md5(2), md5(3).toUpperCase()),
    "StringList/string": fc.array(fc.constantFrom("x", "y", "xy", "w"), { maxLength: 3 }),
    unknown: fc.subarray([...FILE_FIELDS], { maxLength: 2 }),
  },
  { requiredKeys: ["unknown"] },
);
const processRecord = fc.record({ name: fc.constantFrom("a", "b", "c") });

function evaluate(p: EvaluationPlan, records: readonly HostRecord[], maxObjectsPerUnit: number) {
  const e = createEvaluation(p, { availableDocuments: ["FileItem", "ProcessItem"], maxObjectsPerUnit });
  for (const r of records) e.addRecord(r);
  const detections = e.finish();
  return { detections, verdicts: e.verdicts() };
}

describe("gating changes no result (property)", () => {
  it("gated and ungated plans give the same detections, evidence, verdicts and prefilter decisions", () => {
    let gatedRuns = 0;
    let runs = 0;
    fc.assert(
      fc.property(fc.array(treeSpec, { minLength: 1, maxLength: 3 }), fc.array(fileRecord, { minLength: 1, maxLength: 5 }), fc.array(processRecord, { maxLength: 2 }), fc.constantFrom(1, 1000), (trees, files, procs, maxObjects) => {
        const documents: IocDocument[] = trees.map((t, i) => {
          const root = build(t);
          return ioc(root.kind === "item" ? or(root) : root, { id: `ioc${i}`, version: i % 2 === 0 ? "1.1" : "1.0" });
        });
        const inputs = documents.map((document, i) => ({ file: `t${i}.ioc`, document }));
        const gated = compilePlan(inputs);
        const plain = compilePlan(inputs, { gateItems: false });
        runs++;
        if ((gated.documents.get("FileItem")?.guards.size ?? 0) > 0) gatedRuns++;
        const records: HostRecord[] = [
          ...files.map(({ unknown, ...fields }, i) => {
            const kept: Record<string, string | number | string[]> = {};
            for (const [k, v] of Object.entries(fields)) if (!unknown.includes(k as never)) kept[k] = v;
            return { document: "FileItem", id: `/f${i}`, fields: kept, ...(unknown.length > 0 ? { unknownFields: unknown } : {}) };
          }),
          ...procs.map((p, i) => record("ProcessItem", String(i), p)),
        ];
        expect(evaluate(gated, records, maxObjects)).toEqual(evaluate(plain, records, maxObjects));
        const cheap = ["FileName", "SizeInBytes", "StringList/string"];
        const [pg, pp] = [createPrefilter(gated, "FileItem", cheap), createPrefilter(plain, "FileItem", cheap)];
        for (const r of records) if (r.document === "FileItem") expect(pg.decide(r.fields)).toEqual(pp.decide(r.fields));
      }),
      { numRuns: 1500 },
    );
    // The property is only worth something if gating happens in a good share of the plans.
    expect(gatedRuns).toBeGreaterThan(runs / 10);
  });
});
