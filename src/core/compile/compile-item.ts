/**
 * One IndicatorItem → one {@link PlanItem} plus its compiled comparison. Term resolution, event
 * and network mapping, collection and condition applicability come from `classifyItem` (shared
 * with `iocscan ioc check`, so a check and a scan never disagree about which items count); this
 * module adds what evaluation needs on top: the record field, the view, case folding and the
 * parsed operand.
 *
 * A plan may hold a million items, so per-item memory matters: everything that depends only on
 * the term (resolution, field, view, type) is computed once per distinct term and shared.
 *
 * @module
 */
import { classifyItem, type ItemSupport } from "../ioc/item-support.js";
import { runItem, type ItemRun, type RunDigests } from "../ioc/item-run.js";
import type { Condition, IndicatorItem, OpenIocVersion, SourcePosition } from "../ioc/model.js";
import { isEventDocument, type ValueType } from "../vocabulary/index.js";
import { detach } from "./detach.js";
import { buildOperand, unknown, type Operand, type OperandFailure } from "./operand.js";
import type { RunSegment } from "./plan-items.js";
import type { ChannelView, CompileOptions, ItemStatus, PlanItem, UnknownReason } from "./plan-types.js";
import { valueTypeOfName } from "../vocabulary/type-names.js";

/** A compiled item and, when it is evaluable, its comparison. */
export interface CompiledItem {
  readonly item: PlanItem;
  readonly operand?: Operand;
}

/** A run compiled whole: its items (built when read) and the digests its channel indexes. */
export interface CompiledRun {
  readonly items: RunSegment;
  readonly digests: RunDigests;
}

/** Bytes of each digest type. */
const DIGEST_WIDTH: Readonly<Partial<Record<ValueType, number>>> = { md5: 16, sha1: 20, sha256: 32 };

/** What an item's term resolves to; shared by every item with the same term and condition. */
interface Target {
  readonly term: string;
  readonly document: string;
  readonly field: string;
  readonly view: ChannelView;
  readonly type: ValueType;
  readonly listValued: boolean;
  readonly mappedFrom: string | undefined;
  /** Set when the term itself makes the item UNKNOWN. */
  readonly failure: ItemStatus | undefined;
}

const SUPPORTED: ItemStatus = Object.freeze({ kind: "supported" });

/** A plan item: own fields are per item, the rest is read from the shared {@link Target}. */
class Item implements PlanItem {
  readonly id: string;
  readonly position: SourcePosition;
  readonly condition: Condition;
  readonly value: string;
  readonly negate: boolean;

  constructor(
    readonly ref: number,
    readonly ioc: number,
    source: IndicatorItem,
    readonly ignoreCase: boolean,
    readonly status: ItemStatus,
    private readonly target: Target,
    value: string = detach(source.value),
  ) {
    this.id = detach(source.id);
    // Shared, not copied: a position is two numbers and pins nothing (a million copies did show in GC).
    this.position = source.position;
    this.condition = source.condition;
    this.value = value;
    this.negate = source.negate;
  }
  get term(): string {
    return this.target.term;
  }
  get document(): string {
    return this.target.document;
  }
  get field(): string {
    return this.target.field;
  }
  get view(): ChannelView {
    return this.target.view;
  }
  get type(): ValueType {
    return this.target.type;
  }
  get listValued(): boolean {
    return this.target.listValued;
  }
  get mappedFrom(): string | undefined {
    return this.target.mappedFrom;
  }
  /** Plain-object view, for logs and test diffs. */
  toJSON(): PlanItem {
    const { ref, ioc, id, position, condition, value, negate, ignoreCase, status, term, document, field, view, type, listValued, mappedFrom } = this;
    return { ref, ioc, id, position, condition, value, negate, ignoreCase, status, term, document, field, view, type, listValued, mappedFrom };
  }
}

/** The items of a run: each built from the run's columns when read, as the item compiler would. */
class RunItems implements RunSegment {
  readonly count: number;
  readonly shape: PlanItem;

  constructor(
    private readonly first: number,
    private readonly ioc: number,
    private readonly run: ItemRun,
    private readonly ignoreCase: boolean,
    private readonly target: Target,
  ) {
    this.count = run.count;
    this.shape = this.item(0);
  }

  item(k: number): PlanItem {
    return new Item(this.first + k, this.ioc, runItem(this.run, k), this.ignoreCase, SUPPORTED, this.target);
  }
}

function documentOf(term: string): string {
  const slash = term.indexOf("/");
  return slash < 0 ? term : term.slice(0, slash);
}

const REASON_OF_CODE: Readonly<Record<string, UnknownReason>> = {
  IOC011: "unknown-condition",
  IOC020: "unknown-term",
  IOC021: "not-collected",
  IOC022: "informational",
  IOC024: "not-applicable",
};

function targetOf(support: ItemSupport, item: IndicatorItem): Target {
  if (!support.supported) {
    const coded = REASON_OF_CODE[support.code] ?? "unknown-term";
    const reason = coded !== "unknown-condition" && support.source && isEventDocument(support.source.document) ? "event-term" : coded;
    const term = support.source?.term ?? item.term;
    const document = support.source?.document ?? documentOf(term);
    return {
      term: detach(term),
      document: detach(document),
      field: detach(term.slice(document.length + 1)),
      view: "value",
      type: support.source?.type ?? valueTypeOfName(item.contentType) ?? "string",
      listValued: support.source?.listValued ?? false,
      mappedFrom: undefined,
      failure: { ...unknown(reason, detach(support.reason)), code: support.code },
    };
  }
  const { target, mapping } = support;
  let view: ChannelView = mapping !== undefined && "view" in mapping ? mapping.view : "value";
  if (view === "value" && /\/FileExtension$/i.test(target.term)) view = "no-dot";
  return {
    term: detach(target.term),
    document: target.document,
    field: target.term.slice(target.document.length + 1),
    view,
    type: target.type,
    listValued: target.listValued,
    mappedFrom: mapping !== undefined ? detach(support.source.term) : undefined,
    failure: undefined,
  };
}

/**
 * Case folding (semantics 7.4): 1.0 is always case-insensitive; 1.1 preserves case only when
 * `preserve-case="true"`, and only for strings (the operand forces hashes/IPs/bools insensitive).
 */
function ignoresCase(item: IndicatorItem, version: OpenIocVersion): boolean {
  return version === "1.0" || !item.preserveCase;
}

function isFailure(x: Operand | OperandFailure): x is OperandFailure {
  return x.kind === "unknown" || x.kind === "never";
}

/** Item resolutions {@link ItemCompiler} remembers besides its map. */
const RECENT_TARGETS = 4;

/** Compiles items of one plan; remembers term resolutions between items. */
export class ItemCompiler {
  private readonly targets = new Map<string, Target>();

  constructor(private readonly options: CompileOptions) {}

  /**
   * The last items' resolutions, newest first: consecutive items usually test the same term (a
   * hash list), or two in turn (a list of size-and-hash pairs).
   */
  private readonly recent: { readonly item: IndicatorItem; readonly target: Target }[] = [];

  private target(item: IndicatorItem): Target {
    // Classification depends on the term and the condition, and on the value only for
    // greater-than/less-than (numeric strings); other items share one resolution.
    const ordered = item.condition === "greater-than" || item.condition === "less-than";
    if (!ordered) {
      for (const last of this.recent) {
        if (last.item.term === item.term && last.item.condition === item.condition && last.item.contentType === item.contentType) return last.target;
      }
    }
    const key = `${item.term}\u0000${item.condition}\u0000${ordered ? item.value : ""}\u0000${item.contentType}`;
    let target = this.targets.get(key);
    if (target === undefined) {
      target = targetOf(classifyItem(item, this.options), item);
      this.targets.set(key, target);
    }
    this.recent.unshift({ item, target });
    if (this.recent.length > RECENT_TARGETS) this.recent.pop();
    return target;
  }

  /**
   * Compiles a whole run of `is` items on a digest term whose digests are known valid (their
   * bytes came with the run): every item is supported, and its comparison is its digest. Refs are
   * `first` onwards. Undefined when the run is anything else: the caller compiles it item by item.
   */
  compileRun(run: ItemRun, first: number, ioc: number, version: OpenIocVersion): CompiledRun | undefined {
    const digests = run.digests;
    const { condition, negate, hasContent } = run.shared;
    if (digests === undefined || condition !== "is" || negate || !hasContent || run.count === 0) return undefined;
    const sample = runItem(run, 0);
    const target = this.target(sample);
    if (target.failure !== undefined || target.view !== "value" || DIGEST_WIDTH[target.type] !== digests.width) return undefined;
    return { items: new RunItems(first, ioc, run, ignoresCase(sample, version), target), digests };
  }

  /** Compiles one item. `ref` and `ioc` are its indexes in the plan. */
  compile(source: IndicatorItem, ref: number, ioc: number, version: OpenIocVersion): CompiledItem {
    const target = this.target(source);
    const ignoreCase = ignoresCase(source, version);
    if (target.failure !== undefined) return { item: new Item(ref, ioc, source, ignoreCase, target.failure, target) };
    // Built from the item's detached value, so index keys do not pin the IOC file's text either.
    const value = detach(source.value);
    const operand = buildOperand(
      { condition: source.condition, value, type: target.type, view: target.view, ignoreCase, hasContent: source.hasContent },
      this.options.regexEngine,
    );
    const status = isFailure(operand) ? operand : SUPPORTED;
    const item = new Item(ref, ioc, source, ignoreCase, status, target, value);
    return isFailure(operand) ? { item } : { item, operand };
  }
}
