/**
 * A channel is one way of reading one field of a document's records: the field, plus a view
 * (the whole value, a file name taken from a path, an extension without its dot). Every item that
 * reads the field that way is indexed here, by the kind of its comparison:
 *
 * - equality → hash maps from normalised value to item refs (the 10,000th hash costs a lookup;
 *   digests go into a {@link DigestTable}, which stays fast at a million keys);
 * - contains / starts-with / ends-with → one Aho-Corasick automaton per case mode;
 * - greater-than / less-than / ranges → sorted thresholds ({@link OrderIndex});
 * - matches → a {@link RegexSet}: one joined alternation per case mode, so a record pays one
 *   engine call per field, not one per pattern.
 *
 * {@link Channel.matchElement} reports every item whose condition (before negation) holds on one
 * value; a list-valued field calls it once per element, which gives any-element semantics.
 *
 * @module
 */
import { applyEventView, canonicalText, normalizeExtension, parseValue, type ParseResult, type ValueType } from "../vocabulary/index.js";
import type { RunDigests } from "../ioc/item-run.js";
import { AhoCorasick } from "./aho-corasick.js";
import { DigestTable, type DigestRefs } from "./digest-table.js";
import { IntegerTable } from "./integer-table.js";
import { NUMERIC_TEXT_DOMAIN, type Operand, type SearchPosition } from "./operand.js";
import { OrderIndex } from "./order-index.js";
import type { ChannelView } from "./plan-types.js";
import type { RegexEngine } from "./regex-engine.js";
import { RegexSet } from "./regex-set.js";
import { equalityKey, orderKey, unparsedIpKey } from "./typed-keys.js";

/** One scalar value of a record field. */
export type FieldScalar = string | number | boolean;
/** A record field: a scalar, or an array for list-valued terms. */
export type FieldValue = FieldScalar | readonly FieldScalar[];

/** Item refs under one key: a single number (the common case) or several. */
type Refs = number | number[];

function addRef(map: Map<string, Refs>, key: string, ref: number): void {
  const seen = map.get(key);
  if (seen === undefined) map.set(key, ref);
  else if (typeof seen === "number") map.set(key, [seen, ref]);
  else seen.push(ref);
}

function hitAll(refs: Refs | DigestRefs | undefined, hit: (ref: number) => void): void {
  if (refs === undefined) return;
  if (typeof refs === "number") hit(refs);
  else for (const r of refs) hit(r);
}

interface Needle {
  readonly ref: number;
  readonly position: SearchPosition;
}

/** An automaton over the needles of one case mode, with what each pattern index means. */
class NeedleSet {
  private readonly patterns: string[] = [];
  private readonly needles: Needle[] = [];
  private automaton: AhoCorasick | undefined;

  add(needle: string, ref: number, position: SearchPosition): void {
    this.patterns.push(needle);
    this.needles.push({ ref, position });
  }

  get empty(): boolean {
    return this.patterns.length === 0;
  }

  freeze(): void {
    if (!this.empty) this.automaton = AhoCorasick.build(this.patterns);
  }

  match(text: string, hit: (ref: number) => void): void {
    this.automaton?.search(text, (p, start, end) => {
      const n = this.needles[p] as Needle;
      if (n.position === "contains" || (n.position === "starts-with" ? start === 0 : end === text.length)) hit(n.ref);
    });
  }
}

/** A character `toLowerCase` may change: an ASCII capital, or anything beyond ASCII. */
const MAY_LOWER = /[A-Z\u0080-\uffff]/;

const INTEGER_TYPES: ReadonlySet<ValueType> = new Set(["int", "uint64"]);
const DIGEST_TYPES: ReadonlySet<ValueType> = new Set(["md5", "sha1", "sha256"]);

/** The index of every item reading one (field, view) of one document. Build, freeze, then match. */
export class Channel {
  private readonly textCi = new Map<string, Refs>();
  private readonly textCs = new Map<string, Refs>();
  private readonly typed = new Map<string, Refs>();
  /** Integer equality keys that are safe numbers, keyed by number: no key string per record. */
  private readonly integers = new IntegerTable();
  private readonly digests = new DigestTable();
  private readonly isDigest: boolean;
  /** An integer term read as is: a safe-integer record value is looked up as a number. */
  private readonly isInteger: boolean;
  private readonly needlesCi = new NeedleSet();
  private readonly needlesCs = new NeedleSet();
  private readonly orders = new Map<string, OrderIndex>();
  private readonly regexes = new RegexSet();
  private frozen = false;
  // Set by freeze(): what a record value must go through, so the per-record path skips the rest.
  /** Lengths of the case-insensitive equality keys (a value of another length cannot equal one). */
  private readonly ciLengths = new Set<number>();
  private hasTextCi = false;
  private hasTextCs = false;
  private hasNeedlesCi = false;
  private hasNeedlesCs = false;
  private hasRegexes = false;
  /** A digest term read as is, with equality items only: a record's digest is one table look-up. */
  private digestsOnly = false;
  private numericText: OrderIndex | undefined;
  private numberOrder: OrderIndex | undefined;
  /**
   * The channel's gated items (see gating.ts), in a channel of their own: a record is matched
   * against them only when one of their guards holds on it. Undefined when none are gated.
   */
  private gatedItems: Channel | undefined;
  /** Items added ungated: a channel holding only gated items is skipped by {@link matchEager}. */
  private eagerCount = 0;

  constructor(
    readonly field: string,
    readonly view: ChannelView,
    readonly type: ValueType,
  ) {
    this.isDigest = DIGEST_TYPES.has(type);
    this.isInteger = INTEGER_TYPES.has(type) && view === "value";
  }

  /** Adds an item's compiled comparison. */
  add(ref: number, operand: Operand): void {
    if (this.frozen) throw new Error("Channel is frozen");
    this.eagerCount++;
    this.index(ref, operand);
  }

  /** Adds the items `first`.. of a run of `is` items on this digest term: one per digest. */
  addDigestRun(first: number, digests: RunDigests): void {
    if (this.frozen) throw new Error("Channel is frozen");
    if (!this.isDigest) throw new Error(`Channel ${this.field} does not hold digests`);
    this.eagerCount += digests.bytes.length / digests.width;
    this.digests.addRun(digests.bytes, digests.width, first, digests.slots, digests.filter);
  }

  /**
   * Adds a gated item: {@link matchElement} still reports it, {@link matchEager} does not, and
   * {@link matchGated} reports only gated items.
   */
  addGated(ref: number, operand: Operand): void {
    if (this.frozen) throw new Error("Channel is frozen");
    (this.gatedItems ??= new Channel(this.field, this.view, this.type)).add(ref, operand);
  }

  /** Whether some items were added ungated: records must go through the channel. */
  get hasEager(): boolean {
    return this.eagerCount > 0;
  }

  private index(ref: number, operand: Operand): void {
    switch (operand.kind) {
      case "text-eq":
        addRef(operand.ignoreCase ? this.textCi : this.textCs, operand.key, ref);
        break;
      case "typed-eq": {
        if (this.isDigest) {
          this.digests.add(operand.key, ref);
          break;
        }
        addRef(this.typed, operand.key, ref);
        const n = operand.key.startsWith("n:") ? Number(operand.key.slice(2)) : NaN;
        if (Number.isSafeInteger(n)) this.integers.add(n, ref);
        break;
      }
      case "search":
        (operand.ignoreCase ? this.needlesCi : this.needlesCs).add(operand.needle, ref, operand.position);
        break;
      case "regex":
        this.regexes.add(ref, operand.pattern, operand.ignoreCase, operand.regex);
        break;
      case "order": {
        let index = this.orders.get(operand.domain);
        if (index === undefined) this.orders.set(operand.domain, (index = new OrderIndex()));
        index.add(ref, operand.bound);
        break;
      }
    }
  }

  /** Builds the automata, sorts the thresholds, joins the regexes; no more items after this. */
  freeze(engine?: RegexEngine): void {
    this.gatedItems?.freeze(engine);
    this.regexes.freeze(engine);
    this.digests.freeze();
    this.integers.freeze();
    this.needlesCi.freeze();
    this.needlesCs.freeze();
    for (const index of this.orders.values()) index.freeze();
    for (const key of this.textCi.keys()) this.ciLengths.add(key.length);
    this.hasTextCi = this.textCi.size > 0;
    this.hasTextCs = this.textCs.size > 0;
    this.hasNeedlesCi = !this.needlesCi.empty;
    this.hasNeedlesCs = !this.needlesCs.empty;
    this.hasRegexes = this.regexes.size > 0;
    this.digestsOnly = this.isDigest && this.view === "value" && !this.hasNeedlesCi && !this.hasRegexes;
    this.numericText = this.orders.get(NUMERIC_TEXT_DOMAIN);
    this.numberOrder = this.orders.get("number");
    this.frozen = true;
  }

  /**
   * The only safe-integer record values on which some item of this channel (gated or not) holds,
   * ascending; undefined when other values may also hit (an order comparison, a string condition).
   * For a record value that is a safe integer the channel then reports a hit exactly when the value
   * is one of these: what a collector may check before it builds the record (file sizes).
   */
  exactIntegerKeys(): readonly number[] | undefined {
    if (!this.frozen || !this.isInteger || this.numberOrder !== undefined) return undefined;
    const own = this.integers.sortedKeys();
    if (this.gatedItems === undefined) return own;
    const gated = this.gatedItems.exactIntegerKeys();
    return gated === undefined ? undefined : [...new Set([...own, ...gated])].sort((a, b) => a - b);
  }

  /** Reads a raw record value through the channel's view. */
  private viewed(raw: FieldScalar): string {
    const text = typeof raw === "string" ? raw : String(raw);
    if (this.view === "value") return text;
    return this.view === "no-dot" ? normalizeExtension(text) : applyEventView(this.view, text);
  }

  /**
   * True when every item of this channel, gated or not, is a digest equality (a hash list): then
   * {@link namesDigest} answers for it. False before {@link freeze}.
   */
  get digestEqualityOnly(): boolean {
    return this.frozen && this.digestsOnly && (this.gatedItems?.digestEqualityOnly ?? true);
  }

  /**
   * Whether an item of this channel, gated or not, holds on the digest `bytes[offset, offset +
   * width)`, for a channel that is {@link digestEqualityOnly}: a rescan's cached digest is looked
   * up as the bytes it is stored as, with no hex made and decoded again.
   */
  namesDigest(bytes: Uint8Array, offset: number, width: number): boolean {
    return this.digests.hasBytes(bytes, offset, width) || (this.gatedItems?.namesDigest(bytes, offset, width) ?? false);
  }

  /**
   * Calls `hit` for each item whose condition holds on `raw` (one value or one list element),
   * gated or not.
   */
  matchElement(raw: FieldScalar, hit: (ref: number) => void): void {
    this.matchEager(raw, hit);
    this.gatedItems?.matchEager(raw, hit);
  }

  /** {@link matchElement} for the gated items only (none when nothing is gated). */
  matchGated(raw: FieldScalar, hit: (ref: number) => void): void {
    this.gatedItems?.matchEager(raw, hit);
  }

  /**
   * {@link matchElement} for the items added ungated only.
   *
   * Channels with regexes remember their last answer: a collector asks the prefilter about a
   * file's name and path, then evaluates the same file, and a regex engine call is the dearest
   * step of both. The memo is keyed by the value, so it never changes an answer.
   */
  matchEager(raw: FieldScalar, hit: (ref: number) => void): void {
    if (!this.hasRegexes) {
      this.matchUncached(raw, hit);
      return;
    }
    if (this.memoValid && raw === this.memoKey) {
      for (const r of this.memoHits) hit(r);
      return;
    }
    const hits = this.memoHits;
    hits.length = 0;
    this.memoValid = false;
    this.matchUncached(raw, (r) => {
      hits.push(r);
      hit(r);
    });
    this.memoKey = raw;
    this.memoValid = true;
  }

  private memoKey: FieldScalar = "";
  private memoValid = false;
  private readonly memoHits: number[] = [];

  private matchUncached(raw: FieldScalar, hit: (ref: number) => void): void {
    // Fast path for the hot case of a fleet scan: digests against a table of hashes.
    if (this.digestsOnly && typeof raw === "string") {
      hitAll(this.digests.get(raw), hit);
      return;
    }
    if (typeof raw === "number" && this.isInteger && Number.isSafeInteger(raw)) {
      hitAll(this.integers.get(raw), hit);
      this.numberOrder?.match(raw, hit);
      return;
    }
    const text = this.viewed(raw);
    if (this.type === "string") {
      this.matchText(text, hit);
      const numeric = this.numericText;
      if (numeric !== undefined) {
        const n = parseValue("float", text, { ranges: false });
        if (n.ok && n.value.kind === "float") numeric.match(n.value.value, hit);
      }
      return;
    }
    const parsed = parseValue(this.type, text, { ranges: false });
    this.matchTyped(text, parsed, hit);
  }

  /** String terms: equality, needles and regexes on the text. */
  private matchText(text: string, hit: (ref: number) => void): void {
    // Lower-cased only for case-insensitive keys or needles, and only when that changes it (most
    // names are lower case already: a regex test costs less than a copy); a key look-up only when
    // some key has the value's lower-cased length, which spares hashing most values.
    const lower = (this.hasTextCi || this.hasNeedlesCi) && MAY_LOWER.test(text) ? text.toLowerCase() : text;
    if (this.hasTextCi && this.ciLengths.has(lower.length)) hitAll(this.textCi.get(lower), hit);
    if (this.hasTextCs) hitAll(this.textCs.get(text), hit);
    if (this.hasNeedlesCi) this.needlesCi.match(lower, hit);
    if (this.hasNeedlesCs) this.needlesCs.match(text, hit);
    if (this.hasRegexes) this.regexes.match(text, hit);
  }

  /** Typed terms: equality and order on the parsed value, string conditions on its canonical text. */
  private matchTyped(text: string, parsed: ParseResult, hit: (ref: number) => void): void {
    if (this.isDigest) {
      if (parsed.ok && parsed.value.kind === "hash") hitAll(this.digests.get(parsed.value.value), hit);
    } else if (this.typed.size > 0) {
      const key = parsed.ok ? equalityKey(parsed.value) : this.type === "ip" ? unparsedIpKey(text) : undefined;
      if (key !== undefined) hitAll(this.typed.get(key), hit);
    }
    if (parsed.ok && this.orders.size > 0 && parsed.value.kind !== "string" && parsed.value.kind !== "hash" && parsed.value.kind !== "bool" && parsed.value.kind !== "range") {
      const { domain, key } = orderKey(parsed.value);
      this.orders.get(domain)?.match(key, hit);
    }
    if (!this.needlesCi.empty || this.regexes.size > 0) {
      const canonical = parsed.ok ? canonicalText(parsed.value) : text.trim();
      this.needlesCi.match(canonical.toLowerCase(), hit);
      this.regexes.match(canonical, hit);
    }
  }
}
