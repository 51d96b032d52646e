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
import { toLogic, type Logic } from "./logic.js";
import type { CompileOptions, DocumentPlan, EvaluationPlan, IocInput, PlanIoc, PlanItem, PlanUnit } from "./plan-types.js";
import { FALSE } from "./tri.js";

const DEFAULT_MAX_LOCAL_CONJUNCTIONS = 4096;

/**
 * Compiles IOCs (each with the file it came from) into an immutable plan.
 *
 * @example
 * ```ts
 * const plan = compilePlan([{ file: "gdocupload.ioc", document }], { platform: "linux", regexEngine: createRe2Engine() });
 * plan.documents.get("FileItem")?.fields; // ["FileName", "Md5sum", "PEInfo/DetectedAnomalies/string", ...]
 * plan.iocs[0]?.supportedItems;           // items this platform can evaluate
 * ```
 */
export function compilePlan(inputs: readonly IocInput[], options: CompileOptions = {}): EvaluationPlan {
  const items: PlanItem[] = [];
  const units: PlanUnit[] = [];
  const unitsOfItem: (number | readonly number[] | undefined)[] = [];
  const channels = new Map<string, Map<string, Channel>>();
  const iocs: PlanIoc[] = [];
  const maxLocalConjunctions = options.maxLocalConjunctions ?? DEFAULT_MAX_LOCAL_CONJUNCTIONS;
  const compiler = new ItemCompiler(options);

  const channelFor = (item: PlanItem): Channel => {
    let byKey = channels.get(item.document);
    if (byKey === undefined) channels.set(item.document, (byKey = new Map<string, Channel>()));
    const key = `${item.field}\u0000${item.view}`;
    let channel = byKey.get(key);
    if (channel === undefined) byKey.set(key, (channel = new Channel(item.field, item.view, item.type)));
    return channel;
  };

  inputs.forEach(({ file, document }, ioc) => {
    const diagnostics: Diagnostic[] = [];
    let count = 0;
    let supported = 0;
    const logic: Logic = document.criteria
      ? toLogic(document.criteria, {
          leaf: (source) => {
            const ref = items.length;
            const { item, operand } = compiler.compile(source, ref, ioc, document.version);
            items.push(item);
            unitsOfItem.push(undefined);
            count++;
            if (item.status.kind !== "unknown") supported++;
            if (item.status.kind !== "supported") diagnostics.push(diagnostic(item.status.code, item.status.message, source.position));
            if (operand !== undefined) channelFor(item).add(ref, operand);
            return { t: "leaf", ref, negated: item.negate, doc: item.status.kind === "supported" ? item.document : undefined };
          },
          emptyGroup: (indicator) => diagnostics.push(diagnostic("IOC032", `Indicator "${indicator.id}" is empty: it never matches`, indicator.position)),
        })
      : { t: "const", value: FALSE };
    const root = bindLogic(logic, { items, units, unitsOfItem, diagnostics, ioc, maxLocalConjunctions });
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
  });

  const documents = new Map<string, DocumentPlan>();
  for (const [document, byKey] of channels) {
    for (const channel of byKey.values()) channel.freeze(options.regexEngine);
    const docUnits = units.filter((u) => u.document === document);
    documents.set(document, {
      document,
      fields: [...new Set([...byKey.values()].map((c) => c.field))].sort(),
      channels: [...byKey.values()],
      units: docUnits.map((u) => u.index),
      vacuousUnits: docUnits.filter((u) => u.vacuous !== FALSE).map((u) => u.index),
    });
  }
  return { platform: options.platform ?? "linux", iocs, items, units, unitsOfItem, documents };
}
