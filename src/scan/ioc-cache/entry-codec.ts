/**
 * An IOC cache entry as bytes: a small JSON header (the load, and the document with its
 * indicator tree) and a binary body holding the columns of its hash lists. Consecutive
 * IndicatorItems that differ only in id, value and positions (thousands of
 * `FileItem/Sha256sum is ...`) are stored as one run: ids as one string column, digests as raw
 * bytes (32 per SHA-256: random digests do not compress, and raw bytes need no hex check when
 * read back), positions as four numbers when they step evenly (a generated list) or as a column.
 * Reading an entry of a million items is then a file read and a checksum, with no object per
 * item: the scan's compiler takes a run's digests straight into its digest table.
 *
 * Layout, in this machine's byte order (an entry is only read where it was written):
 *
 * | offset | size | what |
 * |---|---|---|
 * | 0 | 4 | "IOCC" |
 * | 4 | 4 | format ({@link IOC_CACHE_FORMAT}) |
 * | 8 | 4 | header length H (UTF-8 JSON) |
 * | 12 | 4 | body length B |
 * | 16 | 4 | CRC-32 of every byte from 20 on |
 * | 20 | H, padded to 4 | header |
 * | … | B | body: each column starts at a multiple of 4 |
 *
 * A damaged or truncated entry fails its lengths or its checksum: a miss.
 *
 * @module
 */
import { crc32 } from "node:zlib";
import { type IndicatorItem, type IndicatorNode, type ItemRun, type RunDigests, type RunFields, type SourcePosition, type CompactIndicator, type CompactNode, runItem } from "../../core/ioc/index.js";
import { runFilter, runSlots } from "../../core/compile/digest-table.js";
import { IOC_CACHE_FORMAT } from "./cache-key.js";
import { isStoredEntry, type CachedLoad, type StoredEntry } from "./cached-load.js";

const MAGIC = 0x43434f49; // "IOCC" read as a little-endian word
const PREFIX = 20;
/** Shorter runs stay plain items: a run's header costs about as much as one item. */
const MIN_RUN = 2;

/**
 * A column of strings: fixed `width` bytes each, or ending at the offsets of column `ends`; or,
 * as `uuid`, lower-case UUIDs as their 16 bytes (item ids usually are: 16 bytes instead of 36).
 */
interface TextColumn {
  readonly at: number;
  readonly encoding: "latin1" | "utf8" | "uuid";
  readonly width?: number;
  readonly ends?: number;
}

/**
 * Digest values: `width` bytes each from `at`; their index (runSlots), `length` words from
 * `slots`; the filter over it (runFilter), `filterLength` words from `filter`.
 */
interface DigestColumn {
  readonly at: number;
  readonly digests: number;
  readonly slots: number;
  readonly length: number;
  readonly filter: number;
  readonly filterLength: number;
}

/** Positions: line, column, value line, value column of item k are `start + k * step`, or a column of 4 numbers per item. */
type PositionColumn = { readonly start: readonly number[]; readonly step: readonly number[] } | { readonly at: number };

/** A run as the header holds it. */
export interface StoredRun {
  readonly kind: "items";
  readonly shared: RunFields;
  readonly count: number;
  readonly ids: TextColumn;
  readonly values: TextColumn | DigestColumn;
  readonly positions: PositionColumn;
}

/** An indicator as the header holds it: its children may be stored runs. */
export interface PackedIndicator extends Omit<CompactIndicator, "children"> {
  readonly children: readonly PackedNode[];
}

export type PackedNode = PackedIndicator | IndicatorItem | StoredRun;

/** The bytes of the entry recording `load` under `key`. */
export function encodeEntry(key: string, load: CachedLoad): Buffer {
  const body = new BodyWriter();
  const { document, ...rest } = load;
  let stored: StoredEntry = { format: IOC_CACHE_FORMAT, key, ...rest };
  if (document !== undefined) {
    const { criteria, ...fields } = document;
    stored = { ...stored, document: criteria === undefined ? fields : { ...fields, criteria: pack(criteria, body) } };
  }
  return assemble(Buffer.from(JSON.stringify(stored), "utf8"), body.chunks, body.length);
}

/** The load `bytes` records under `key`; undefined when they are not a whole, sound entry for it. */
export function decodeEntry(bytes: Uint8Array, key: string): CachedLoad | undefined {
  if (bytes.length < PREFIX) return undefined;
  // Word-aligned, so that checksums and position columns read whole words.
  const buffer = bytes.byteOffset % 4 === 0 ? Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length) : copyAligned(bytes);
  const head = new Uint32Array(buffer.buffer, buffer.byteOffset, PREFIX / 4);
  const [magic, format, headerLength, bodyLength, sum] = head as unknown as [number, number, number, number, number];
  const bodyAt = PREFIX + padded(headerLength);
  if (magic !== MAGIC || format !== IOC_CACHE_FORMAT || bodyAt + bodyLength !== buffer.length || bodyLength % 4 !== 0) return undefined;
  if (checksum(buffer, PREFIX) !== sum) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(buffer.toString("utf8", PREFIX, PREFIX + headerLength));
  } catch {
    return undefined;
  }
  if (!isStoredEntry(value, key)) return undefined;
  const body = buffer.subarray(bodyAt);
  const { format: _format, key: _key, document, ...load } = value;
  if (document === undefined) return load;
  const { criteria, ...fields } = document;
  if (criteria === undefined) return { ...load, document: fields };
  try {
    return { ...load, document: { ...fields, criteria: unpack(criteria, body) } };
  } catch {
    return undefined;
  }
}

/**
 * An entry made of `header` (JSON text) and `body`, with its lengths and checksum: for tests
 * that need an entry which is whole but says something else.
 */
export function entryBytes(header: string, body: Uint8Array): Buffer {
  return assemble(Buffer.from(header, "utf8"), [body], padded(body.length));
}

function assemble(header: Buffer, chunks: readonly Uint8Array[], bodyLength: number): Buffer {
  const bodyAt = PREFIX + padded(header.length);
  const out = new Uint8Array(bodyAt + bodyLength);
  const bytes = Buffer.from(out.buffer, 0, out.length);
  header.copy(bytes, PREFIX);
  let at = bodyAt;
  for (const chunk of chunks) {
    bytes.set(chunk, at);
    at += padded(chunk.length);
  }
  const head = new Uint32Array(out.buffer, 0, PREFIX / 4);
  head[0] = MAGIC;
  head[1] = IOC_CACHE_FORMAT;
  head[2] = header.length;
  head[3] = bodyLength;
  head[4] = checksum(bytes, PREFIX);
  return bytes;
}

function padded(n: number): number {
  return (n + 3) & ~3;
}

function copyAligned(bytes: Uint8Array): Buffer {
  const copy = new Uint8Array(bytes.length);
  copy.set(bytes);
  return Buffer.from(copy.buffer, 0, copy.length);
}

/**
 * The CRC-32 of `bytes` from `from`, by zlib: native, so as fast on a scan's first entry as on
 * its hundredth (a JavaScript loop runs interpreted until V8 optimizes it, ten times slower).
 */
function checksum(bytes: Buffer, from: number): number {
  return crc32(bytes.subarray(from));
}

/** The body being written: chunks, each at a multiple of 4. */
class BodyWriter {
  readonly chunks: Uint8Array[] = [];
  length = 0;

  add(bytes: Uint8Array): number {
    const at = this.length;
    this.chunks.push(bytes);
    this.length += padded(bytes.length);
    return at;
  }
}

function pack(indicator: CompactIndicator, body: BodyWriter): PackedIndicator {
  const children: PackedNode[] = [];
  const list: IndicatorNode[] = [];
  // A compact tree (runs already) is packed from its items: runs are cut here, one rule for all.
  for (const child of indicator.children) {
    if (child.kind === "items") for (let k = 0; k < child.count; k++) list.push(runItem(child, k));
    else list.push(child as IndicatorNode);
  }
  for (let i = 0; i < list.length; ) {
    const child = list[i] as IndicatorNode;
    if (child.kind === "indicator") {
      children.push(pack(child, body));
      i++;
      continue;
    }
    let end = i + 1;
    while (end < list.length && sharesFields(child, list[end] as IndicatorNode)) end++;
    if (end - i < MIN_RUN || child.parameters.length > 0) children.push(...(list.slice(i, end) as IndicatorItem[]));
    else children.push(runOf(list.slice(i, end) as IndicatorItem[], body));
    i = end;
  }
  return { ...indicator, children };
}

function sharesFields(a: IndicatorItem, node: IndicatorNode): boolean {
  if (node.kind !== "item") return false;
  const b = node;
  return (
    b.parameters.length === a.parameters.length &&
    b.condition === a.condition &&
    b.sourceCondition === a.sourceCondition &&
    b.negate === a.negate &&
    b.preserveCase === a.preserveCase &&
    b.context.document === a.context.document &&
    b.context.search === a.context.search &&
    b.context.type === a.context.type &&
    b.term === a.term &&
    b.document === a.document &&
    b.contentType === a.contentType &&
    b.hasContent === a.hasContent
  );
}

const LOWER_HEX = /^[0-9a-f]+$/;

function runOf(items: readonly IndicatorItem[], body: BodyWriter): StoredRun {
  const first = items[0] as IndicatorItem;
  const { condition, sourceCondition, negate, preserveCase, context, term, document, contentType, hasContent } = first;
  const shared: RunFields = { condition, sourceCondition, negate, preserveCase, context, term, document, contentType, hasContent };
  return {
    kind: "items",
    shared,
    count: items.length,
    ids: textColumn(items.map((item) => item.id), body),
    values: digestColumn(items, body) ?? textColumn(items.map((item) => item.value), body),
    positions: positionColumn(items, body),
  };
}

/** The values as digest bytes, when each is exactly the lower-case hex of a digest of one width (a multiple of 4 bytes). */
function digestColumn(items: readonly IndicatorItem[], body: BodyWriter): DigestColumn | undefined {
  const length = (items[0] as IndicatorItem).value.length;
  if (length === 0 || length % 8 !== 0) return undefined;
  for (const item of items) if (item.value.length !== length || !LOWER_HEX.test(item.value)) return undefined;
  const width = length / 2;
  const raw = new Uint8Array(items.length * width);
  const bytes = Buffer.from(raw.buffer, 0, raw.length);
  items.forEach((item, k) => bytes.write(item.value, k * width, width, "hex"));
  const slots = runSlots(raw, width);
  const filter = runFilter(slots);
  return {
    at: body.add(bytes),
    digests: width,
    slots: body.add(new Uint8Array(slots.buffer)),
    length: slots.length,
    filter: body.add(new Uint8Array(filter.buffer, filter.byteOffset, filter.byteLength)),
    filterLength: filter.length,
  };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function textColumn(texts: readonly string[], body: BodyWriter): TextColumn {
  if (texts.every((text) => UUID.test(text))) {
    const bytes = Buffer.alloc(texts.length * 16);
    texts.forEach((text, k) => bytes.write(text.replaceAll("-", ""), k * 16, 16, "hex"));
    return { at: body.add(bytes), encoding: "uuid", width: 16 };
  }
  // Latin-1 when it can hold every character: one byte each, and the fastest to decode.
  const encoding = texts.every((text) => !/[\u0100-\uffff]/.test(text)) ? "latin1" : "utf8";
  const buffers = texts.map((text) => Buffer.from(text, encoding));
  const width = buffers[0]?.length ?? 0;
  const all = Buffer.concat(buffers);
  if (buffers.every((b) => b.length === width)) return { at: body.add(all), encoding, width };
  const ends = new Uint32Array(buffers.length);
  let end = 0;
  buffers.forEach((b, k) => (ends[k] = end += b.length));
  const at = body.add(all);
  return { at, encoding, ends: body.add(new Uint8Array(ends.buffer)) };
}

function positionColumn(items: readonly IndicatorItem[], body: BodyWriter): PositionColumn {
  const numbers = (item: IndicatorItem): number[] => [item.position.line, item.position.column, item.valuePosition.line, item.valuePosition.column];
  const start = numbers(items[0] as IndicatorItem);
  const step = items.length > 1 ? numbers(items[1] as IndicatorItem).map((n, i) => n - (start[i] as number)) : [0, 0, 0, 0];
  const even = items.every((item, k) => numbers(item).every((n, i) => n === (start[i] as number) + k * (step[i] as number)));
  if (even) return { start, step };
  const column = new Int32Array(items.length * 4);
  items.forEach((item, k) => column.set(numbers(item), k * 4));
  return { at: body.add(new Uint8Array(column.buffer)) };
}

/** The compact tree `packed` stands for, its runs reading `body`; throws when a run is malformed. */
function unpack(packed: PackedIndicator, body: Buffer): CompactIndicator {
  const list: unknown = packed.children;
  if (!Array.isArray(list)) throw new Error("malformed indicator");
  const children: CompactNode[] = [];
  for (const child of packed.children) {
    if (child.kind === "indicator") children.push(unpack(child, body));
    else if (child.kind === "items") children.push(new StoredItemRun(child, body));
    else if (child.kind === "item") children.push(child);
    else throw new Error("malformed indicator");
  }
  return { ...packed, children };
}

/** A run read from an entry's body: items are built from the columns when read. */
class StoredItemRun implements ItemRun {
  readonly kind = "items";
  readonly shared: RunFields;
  readonly count: number;
  readonly digests?: RunDigests;
  private readonly ids: TextReader;
  private readonly values: TextReader | undefined;
  private readonly start: readonly number[] = [];
  private readonly step: readonly number[] = [];
  private readonly positions: Int32Array | undefined;

  constructor(
    stored: StoredRun,
    private readonly body: Buffer,
  ) {
    const { shared, count, ids, values, positions } = stored;
    if (!isShared(shared) || !Number.isSafeInteger(count) || count < 1) throw new Error("malformed item run");
    this.shared = shared;
    this.count = count;
    this.ids = new TextReader(ids, count, body);
    if ("digests" in values) {
      const { digests: width, slots, length, filter, filterLength } = values;
      const counts = [width, length, filterLength];
      if (!counts.every((n) => Number.isSafeInteger(n) && n >= 0) || width === 0 || width % 4 !== 0) throw new Error("malformed item run");
      const index = slice(body, slots, length * 4);
      const bits = slice(body, filter, filterLength * 4);
      this.digests = {
        width,
        bytes: slice(body, values.at, count * width),
        slots: new Int32Array(index.buffer, index.byteOffset, length),
        filter: new Uint32Array(bits.buffer, bits.byteOffset, filterLength),
      };
    } else this.values = new TextReader(values, count, body);
    if ("at" in positions) {
      const bytes = slice(body, positions.at, count * 16);
      this.positions = new Int32Array(bytes.buffer, bytes.byteOffset, count * 4);
    } else {
      if (!isNumbers(positions.start) || !isNumbers(positions.step)) throw new Error("malformed item run");
      this.start = positions.start;
      this.step = positions.step;
    }
  }

  id(k: number): string {
    return this.ids.at(k);
  }

  value(k: number): string {
    const digests = this.digests;
    if (digests === undefined) return (this.values as TextReader).at(k);
    const at = digests.bytes.byteOffset - this.body.byteOffset + k * digests.width;
    return this.body.toString("hex", at, at + digests.width);
  }

  position(k: number): SourcePosition {
    return { line: this.number(k, 0), column: this.number(k, 1) };
  }

  valuePosition(k: number): SourcePosition {
    return { line: this.number(k, 2), column: this.number(k, 3) };
  }

  private number(k: number, i: number): number {
    if (this.positions !== undefined) return this.positions[k * 4 + i] as number;
    return (this.start[i] as number) + k * (this.step[i] as number);
  }
}

/** Reads the strings of a {@link TextColumn}. */
class TextReader {
  private readonly at0: number;
  private readonly encoding: "latin1" | "utf8" | "uuid";
  private readonly width: number;
  private readonly ends: Uint32Array | undefined;

  constructor(
    column: TextColumn,
    count: number,
    private readonly body: Buffer,
  ) {
    const { at, encoding, width, ends } = column;
    if ((encoding !== "latin1" && encoding !== "utf8" && encoding !== "uuid") || (encoding === "uuid" && width !== 16) || !Number.isSafeInteger(at)) {
      throw new Error("malformed item run");
    }
    this.at0 = at;
    this.encoding = encoding;
    if (width !== undefined) {
      if (!Number.isSafeInteger(width) || width < 0) throw new Error("malformed item run");
      slice(body, at, count * width);
      this.width = width;
      this.ends = undefined;
      return;
    }
    if (ends === undefined) throw new Error("malformed item run");
    const bytes = slice(body, ends, count * 4);
    const list = new Uint32Array(bytes.buffer, bytes.byteOffset, count);
    let previous = 0;
    for (const end of list) {
      if (end < previous) throw new Error("malformed item run");
      previous = end;
    }
    slice(body, at, previous);
    this.width = 0;
    this.ends = list;
  }

  at(k: number): string {
    const ends = this.ends;
    const start = this.at0 + k * this.width;
    if (this.encoding === "uuid") {
      const hex = this.body.toString("hex", start, start + 16);
      return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
    }
    if (ends === undefined) return this.body.toString(this.encoding, start, start + this.width);
    return this.body.toString(this.encoding, this.at0 + (k === 0 ? 0 : (ends[k - 1] as number)), this.at0 + (ends[k] as number));
  }
}

/** `length` bytes of `body` from `at`, which must be word-aligned and inside it. */
function slice(body: Buffer, at: number, length: number): Buffer {
  if (!Number.isSafeInteger(at) || at < 0 || at % 4 !== 0 || at + length > body.length) throw new Error("malformed item run");
  return body.subarray(at, at + length);
}

function isNumbers(value: unknown): value is readonly number[] {
  return Array.isArray(value) && value.length === 4 && value.every((n) => Number.isSafeInteger(n));
}

function isShared(value: unknown): value is RunFields {
  if (typeof value !== "object" || value === null) return false;
  const s = value as Record<string, unknown>;
  const context = s["context"] as Record<string, unknown> | null | undefined;
  return (
    // Any spelling: the parser keeps an unknown condition, which the compiler finds unsupported.
    typeof s["condition"] === "string" &&
    typeof s["sourceCondition"] === "string" &&
    typeof s["negate"] === "boolean" &&
    typeof s["preserveCase"] === "boolean" &&
    typeof s["term"] === "string" &&
    typeof s["document"] === "string" &&
    typeof s["contentType"] === "string" &&
    typeof s["hasContent"] === "boolean" &&
    typeof context === "object" &&
    context !== null &&
    typeof context["document"] === "string" &&
    typeof context["search"] === "string" &&
    typeof context["type"] === "string"
  );
}
