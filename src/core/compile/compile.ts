/**
 * Compiles every loaded IOC into one {@link EvaluationPlan}: one pass over the host then serves
 * all IOCs at once, and the 10,000th hash costs a map entry, not another pass.
 *
 * @module
 */
import { diagnostic, type Diagnostic } from "../ioc/diagnostics.js";
import { bindLogic } from "./binding.js";
import { Channel } from "./channel.js";
import { ItemCompiler } from "./compile-item.js";
import { detach } from "./detach.js";
import { gateItems, lookupCost } from "./gating.js";
import { toLogic, type Logic } from "./logic.js";
import type { Operand } from "./operand.js";
import { ItemStore } from "./plan-items.js";
import { UnitIndex } from "./unit-index.js";
import type { CompileOptions, DocumentPlan, EvaluationPlan, IocInput, PlanIoc, PlanItem, PlanUnit } from "./plan-types.js";
import type { RunDigests } from "../ioc/item-run.js";
import { FALSE } from "./tri.js";

const DEFAULT_MAX_LOCAL_CONJUNCTIONS = 4096;
/** Channels the builder remembers between items. */
const RECENT = 4;

/** A run compiled whole, waiting for its channel: items `first`.. and their digests. */
interface IndexedRun {
  readonly first: number;
  readonly shape: PlanItem;
  readonly digests: RunDigests;
}

/**
 * Compiles IOCs (each with the file it came from) into an immutable plan. The same as feeding
 * them one by one to {@link createPlanBuilder}.
 *
 * @example
 * ```ts
 * const plan = compilePlan([{ file: "gdocupload.ioc", document }], { platform: "linux", regexEngine: createRe2Engine() });
 * plan.documents.get("FileItem")?.fields; // ["FileName", "Md5sum", "PEInfo/DetectedAnomalies/string", ...]
 * plan.iocs[0]?.supportedItems;           // items this platform can evaluate
 * ```
 */
export function compilePlan(inputs: readonly IocInput[], options: CompileOptions = {}): EvaluationPlan {
  const builder = createPlanBuilder(options);
  for (const input of inputs) builder.add(input);
  return builder.build();
}

/**
 * Builds a plan one IOC at a time: each {@link PlanBuilder.add} compiles the IOC and keeps
 * nothing of its document, so a caller can load, parse, add and drop one file after another and
 * never hold every parse tree at once (10,000 IOCs of a million items would otherwise peak at
 * several times the plan's size).
 */
export interface PlanBuilder {
  /** Compiles one IOC into the plan (its index is the number added before it). */
  add(input: IocInput): void;
  /** Freezes the indexes and returns the plan; the builder cannot be used afterwards. */
  build(): EvaluationPlan;
}

/**
 * Starts an incremental plan; `compilePlan(inputs, options)` equals adding each input in order,
 * then building.
 *
 * @example
 * ```ts
 * const builder = createPlanBuilder({ platform: "linux" });
 * for (const file of files) builder.add({ file, document: parseIoc(await readFile(file)).document! });
 * const plan = builder.build();
 * ```
 */
export function createPlanBuilder(options: CompileOptions = {}): PlanBuilder {
  const items = new ItemStore();
  const units: PlanUnit[] = [];
  const unitsOfItem = new UnitIndex();
  const channels = new Map<string, Map<string, Channel>>();
  const iocs: PlanIoc[] = [];
  const maxLocalConjunctions = options.maxLocalConjunctions ?? DEFAULT_MAX_LOCAL_CONJUNCTIONS;
  const compiler = new ItemCompiler(options);
  const gating = options.gateItems ?? true;
  /** Per document: guard ref → the channels whose gated items it opens. */
  const guards = new Map<string, Map<number, Channel[]>>();
  let built = false;

  /**
   * The channels found last, newest first: consecutive items of a hash list read the same one,
   * a list of `SizeInBytes AND Sha256sum` pairs two in turn.
   */
  const recentChannels: { readonly item: PlanItem; readonly channel: Channel }[] = [];
  const channelFor = (item: PlanItem): Channel => {
    for (const recent of recentChannels) {
      if (recent.item.document === item.document && recent.item.field === item.field && recent.item.view === item.view) return recent.channel;
    }
    const channel = channelLookup(item);
    recentChannels.unshift({ item, channel });
    if (recentChannels.length > RECENT) recentChannels.pop();
    return channel;
  };
  const channelLookup = (item: PlanItem): Channel => {
    let byKey = channels.get(item.document);
    if (byKey === undefined) channels.set(item.document, (byKey = new Map<string, Channel>()));
    const key = `${item.field}\u0000${item.view}`;
    let channel = byKey.get(key);
    if (channel === undefined) byKey.set(key, (channel = new Channel(item.field, item.view, item.type)));
    return channel;
  };

  const add = ({ file, document }: IocInput): void => {
    if (built) throw new Error("PlanBuilder.add after build");
    const ioc = iocs.length;
    const diagnostics: Diagnostic[] = [];
    let count = 0;
    let supported = 0;
    /**
     * The comparisons of the IOC's plain items, with their refs (increasing), indexed once
     * binding has said which are gated; and its runs compiled whole, indexed as they are.
     */
    const operandRefs: number[] = [];
    const operands: (Operand | undefined)[] = [];
    const runs: IndexedRun[] = [];
    const logic: Logic = document.criteria
      ? toLogic(document.criteria, {
          leaf: (source) => {
            const ref = items.length;
            const { item, operand } = compiler.compile(source, ref, ioc, document.version);
            items.push(item);
            unitsOfItem.extend(1);
            count++;
            if (item.status.kind !== "unknown") supported++;
            if (item.status.kind !== "supported") diagnostics.push(diagnostic(item.status.code, item.status.message, source.position));
            operandRefs.push(ref);
            operands.push(operand);
            return { t: "leaf", ref, negated: item.negate, doc: item.status.kind === "supported" ? item.document : undefined };
          },
          run: (run) => {
            const first = items.length;
            const compiled = compiler.compileRun(run, first, ioc, document.version);
            if (compiled === undefined) return undefined;
            items.pushRun(compiled.items);
            unitsOfItem.extend(run.count);
            count += run.count;
            supported += run.count;
            runs.push({ first, shape: compiled.items.shape, digests: compiled.digests });
            return { t: "run", lo: first, hi: first + run.count - 1, doc: compiled.items.shape.document };
          },
          emptyGroup: (indicator) => diagnostics.push(diagnostic("IOC032", `Indicator "${indicator.id}" is empty: it never matches`, indicator.position)),
        })
      : { t: "const", value: FALSE };
    const firstUnit = units.length;
    const root = bindLogic(logic, { items, units, unitsOfItem, diagnostics, ioc, maxLocalConjunctions });
    index(operandRefs, operands, runs, units.slice(firstUnit));
    iocs.push({
      index: ioc,
      file: detach(file),
      id: detach(document.id),
      title: detach(document.title),
      version: document.version,
      items: count,
      supportedItems: supported,
      root,
      diagnostics: diagnostics.map((d) => ({ ...d, message: detach(d.message) })),
    });
  };

  /** Adds one IOC's comparisons to the channels in ref order (runs among them), gated ones apart (gating.ts). */
  const index = (refs: readonly number[], operands: readonly (Operand | undefined)[], runs: readonly IndexedRun[], iocUnits: readonly PlanUnit[]): void => {
    let gated: Map<number, number[]> | undefined;
    if (gating && operands.length > 1) {
      gated = gateItems(iocUnits, items, (ref) => {
        const operand = operands[indexOf(refs, ref)];
        return operand === undefined ? undefined : lookupCost(items.shape(ref) as PlanItem, operand);
      });
    }
    let nextRun = 0;
    // A run's items sit under an OR: never gated.
    const addRunsBefore = (ref: number): void => {
      for (let run = runs[nextRun]; run !== undefined && run.first < ref; run = runs[++nextRun]) channelFor(run.shape).addDigestRun(run.first, run.digests);
    };
    for (let k = 0; k < operands.length; k++) {
      const operand = operands[k];
      if (operand === undefined) continue;
      addRunsBefore(refs[k] as number);
      const item = items.at(refs[k] as number) as PlanItem;
      const channel = channelFor(item);
      const guardRefs = gated?.get(item.ref);
      if (guardRefs === undefined) {
        channel.add(item.ref, operand);
        continue;
      }
      channel.addGated(item.ref, operand);
      let byGuard = guards.get(item.document);
      if (byGuard === undefined) guards.set(item.document, (byGuard = new Map<number, Channel[]>()));
      for (const g of guardRefs) {
        const opened = byGuard.get(g);
        if (opened === undefined) byGuard.set(g, [channel]);
        else if (!opened.includes(channel)) opened.push(channel);
      }
    }
    addRunsBefore(Infinity);
  };

  const build = (): EvaluationPlan => {
    if (built) throw new Error("PlanBuilder.build called twice");
    built = true;
    const unitsByDocument = new Map<string, PlanUnit[]>();
    for (const u of units) {
      let list = unitsByDocument.get(u.document);
      if (list === undefined) unitsByDocument.set(u.document, (list = []));
      list.push(u);
    }
    const documents = new Map<string, DocumentPlan>();
    for (const [document, byKey] of channels) {
      for (const channel of byKey.values()) channel.freeze(options.regexEngine);
      const docUnits = unitsByDocument.get(document) ?? [];
      documents.set(document, {
        document,
        fields: [...new Set([...byKey.values()].map((c) => c.field))].sort(),
        channels: [...byKey.values()],
        units: docUnits.map((u) => u.index),
        vacuousUnits: docUnits.filter((u) => u.vacuous !== FALSE).map((u) => u.index),
        eagerChannels: [...byKey.values()].filter((c) => c.hasEager),
        guards: guards.get(document) ?? new Map<number, Channel[]>(),
      });
    }
    return { platform: options.platform ?? "linux", iocs, items, units, unitsOfItem, documents };
  };

  return { add, build };
}

/** The index of `ref` in the increasing `refs`, or -1. */
function indexOf(refs: readonly number[], ref: number): number {
  let low = 0;
  let high = refs.length - 1;
  while (low <= high) {
    const middle = (low + high) >>> 1;
    const r = refs[middle] as number;
    if (r === ref) return middle;
    if (r < ref) low = middle + 1;
    else high = middle - 1;
  }
  return -1;
}
