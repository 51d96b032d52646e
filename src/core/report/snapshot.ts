/**
 * Host snapshots (DESIGN.md section 5): what `iocscan collect` writes and `iocscan scan
 * --snapshot` evaluates, exactly as if the records had been collected live.
 *
 * A document present under `records` was collected (an empty list means "none on this host"); a
 * document absent from it was not, so its items evaluate as UNKNOWN, never FALSE.
 *
 * A field absent from a record was not found on the object (items on it are FALSE, negated
 * ones TRUE). A field the collector was asked for but could not compute (a file too large to
 * hash, unreadable, gone before it was read) is listed instead under the record's optional
 * `"@unknown"` key, an array of field keys: `{ "FullPath": "/srv/app.bin", "@unknown":
 * ["Md5sum"] }`. Items on those fields evaluate as UNKNOWN on that record, negated or not.
 *
 * @module
 */
import { z } from "zod";
import { allDocuments, lookupTerm } from "../vocabulary/index.js";
import { jsonErrorOffset } from "./_json-error-offset.js";
import { recordId, type RecordFields } from "./record-id.js";

/** The value of `format` in every snapshot. */
export const SNAPSHOT_FORMAT = "iocscan-snapshot";
/** The snapshot format version this build reads and writes. */
export const SNAPSHOT_VERSION = 1;

const scalar = z.union([z.string(), z.number(), z.boolean()]);
const fieldValue = z.union([scalar, z.array(scalar)], { error: "expected a string, number, true or false, or a list of them" }).nullable();
const hostSchema = z.looseObject({
  hostname: z.string().optional(),
  os: z.string().optional(),
  root: z.string().optional(),
});
const snapshotSchema = z.object({
  format: z.literal(SNAPSHOT_FORMAT),
  version: z.literal(SNAPSHOT_VERSION),
  host: hostSchema,
  collectedAt: z.iso.datetime({ offset: true }),
  records: z.record(z.string(), z.array(z.record(z.string(), fieldValue))),
});

/** The host a snapshot describes. */
export type SnapshotHost = z.infer<typeof hostSchema>;

/** One record of a snapshot, with its document and object id. */
export interface HostRecord {
  readonly document: string;
  readonly id: string;
  readonly fields: RecordFields;
  /** Field keys the collector could not compute (the record's `"@unknown"` list). */
  readonly unknownFields?: readonly string[];
}

/** The per-record key listing fields that could not be computed. */
export const UNKNOWN_FIELDS_KEY = "@unknown";

/** A validated snapshot. */
export interface HostSnapshot {
  readonly host: SnapshotHost;
  readonly collectedAt: string;
  /** Records per document, in file order. */
  readonly records: ReadonlyMap<string, readonly HostRecord[]>;
  /** Things a person should know: unknown documents or fields (typos), which never match. */
  readonly warnings: readonly string[];
}

/** Why a snapshot was refused: the cause, and where (JSON path, or line and column). */
export interface SnapshotError {
  readonly message: string;
  readonly path?: string;
  readonly line?: number;
  readonly column?: number;
}

/** The result of reading a snapshot. */
export type SnapshotResult = { ok: true; snapshot: HostSnapshot } | { ok: false; error: SnapshotError };

/**
 * Reads and validates a snapshot file's bytes: UTF-8 (a byte order mark is skipped), or UTF-16
 * with its byte order mark (as Windows PowerShell's `>` writes it). Bytes that are not text in
 * that encoding are refused with their line and column: decoding them as U+FFFD would change a
 * path or a name the IOCs are matched against.
 */
export function parseSnapshotBytes(bytes: Uint8Array): SnapshotResult {
  if (bytes.length === 0) return { ok: false, error: { message: "Not an iocscan snapshot: the file is empty" } };
  const encoding = bytes[0] === 0xff && bytes[1] === 0xfe ? "utf-16le" : bytes[0] === 0xfe && bytes[1] === 0xff ? "utf-16be" : "utf-8";
  try {
    // ignoreBOM false: the decoder drops the byte order mark.
    return parseSnapshot(new TextDecoder(encoding, { fatal: true }).decode(bytes));
  } catch {
    const { good, badByte } = decodablePrefix(bytes, encoding);
    const where = lineAndColumn(good, good.length);
    return { ok: false, error: { message: `Not valid ${encoding === "utf-8" ? "UTF-8" : encoding.toUpperCase()} text: byte 0x${badByte.toString(16).padStart(2, "0").toUpperCase()} cannot start or continue a character`, ...where } };
  }
}

/** Reads and validates snapshot JSON text. */
export function parseSnapshot(text: string): SnapshotResult {
  // Not text.trim(): that would copy a 100 MB snapshot to find its first character.
  if (!/\S/.test(text)) return { ok: false, error: { message: "Not an iocscan snapshot: the file is empty" } };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return { ok: false, error: jsonSyntaxError(text, error) };
  }
  const version = versionProblem(json);
  if (version !== undefined) return { ok: false, error: { message: version, path: "version" } };
  const parsed = snapshotSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = issue ? formatPath(issue.path) : "";
    return { ok: false, error: { message: `Not an iocscan snapshot: ${issue?.message ?? "invalid"}${path ? ` at ${path}` : ""}`, path } };
  }
  const data = parsed.data;
  const warnings: string[] = [];
  const records = new Map<string, HostRecord[]>();
  for (const [document, list] of Object.entries(data.records)) {
    const unknownFields = new Set<string>();
    const respelled = new Map<string, string>();
    const canonical = (key: string): string | undefined => {
      const term = lookupTerm(`${document}/${key}`);
      return term && term.document === document ? term.term.slice(document.length + 1) : undefined;
    };
    const converted: HostRecord[] = [];
    for (const [index, raw] of list.entries()) {
      const fields: Record<string, RecordFields[string]> = {};
      let unknown: string[] | undefined;
      for (const [key, value] of Object.entries(raw)) {
        if (value === null) continue;
        if (key === UNKNOWN_FIELDS_KEY) {
          if (!Array.isArray(value) || !value.every((v) => typeof v === "string")) {
            const path = `records.${document}[${index}].${UNKNOWN_FIELDS_KEY}`;
            return { ok: false, error: { message: `Not an iocscan snapshot: "${UNKNOWN_FIELDS_KEY}" must be an array of field names at ${path}`, path } };
          }
          unknown = value.map((field) => {
            const name = canonical(field);
            if (name === undefined) unknownFields.add(field);
            else if (name !== field) respelled.set(field, name);
            return name ?? field;
          });
          continue;
        }
        // Terms resolve case-insensitively, so a field spelled "MD5Sum" is read as "Md5sum":
        // evaluation must see the value, or a negated hash item would turn TRUE on it.
        const name = canonical(key);
        if (name === undefined) unknownFields.add(key);
        else if (name !== key) respelled.set(key, name);
        fields[name ?? key] = value;
      }
      const id = recordId(document, fields, `${document}[${index}]`);
      converted.push(unknown === undefined ? { document, id, fields } : { document, id, fields, unknownFields: unknown });
    }
    if (!isKnownDocument(document)) warnings.push(`records.${document}: unknown document "${document}": its records never match`);
    else if (unknownFields.size > 0) {
      warnings.push(`records.${document}: unknown field${unknownFields.size > 1 ? "s" : ""} ${[...unknownFields].map((f) => `"${f}"`).join(", ")}: never matched`);
    }
    for (const [from, to] of respelled) warnings.push(`records.${document}: field "${from}" read as "${to}"`);
    records.set(document, converted);
  }
  return {
    ok: true,
    snapshot: { host: data.host, collectedAt: data.collectedAt, records, warnings },
  };
}

let knownDocuments: ReadonlySet<string> | undefined;

function isKnownDocument(document: string): boolean {
  knownDocuments ??= new Set(allDocuments());
  return knownDocuments.has(document);
}

function formatPath(path: readonly PropertyKey[]): string {
  return path.map((key, i) => (typeof key === "number" ? `[${key}]` : `${i === 0 ? "" : "."}${String(key)}`)).join("");
}

/**
 * A snapshot of another format version, said plainly: one written by a newer iocscan is the
 * likely case, and the fix is to update this one.
 */
function versionProblem(json: unknown): string | undefined {
  if (typeof json !== "object" || json === null || Array.isArray(json)) return undefined;
  const { format, version } = json as { format?: unknown; version?: unknown };
  if (format !== SNAPSHOT_FORMAT || version === SNAPSHOT_VERSION) return undefined;
  if (typeof version === "number" && Number.isInteger(version) && version > SNAPSHOT_VERSION) {
    return `Cannot read this snapshot: it is format version ${version}, written by a newer iocscan; this iocscan reads version ${SNAPSHOT_VERSION} (update iocscan)`;
  }
  return `Not an iocscan snapshot: unknown format version ${JSON.stringify(version) ?? "(none)"} (this iocscan reads version ${SNAPSHOT_VERSION})`;
}

function jsonSyntaxError(text: string, error: unknown): SnapshotError {
  const message = error instanceof Error ? error.message : String(error);
  const position = /position (\d+)/.exec(message)?.[1];
  // V8 names the position of some errors only; find it ourselves for the others.
  const offset = position === undefined ? jsonErrorOffset(text) : Number(position);
  let cause = message.replace(/ in JSON at position \d+.*$/, "").replace(/^(Unexpected token '.*?'), .* is not valid JSON$/s, "$1");
  if (offset >= text.length) cause = "the text ends in the middle of the JSON (a truncated file?)";
  return { message: `Not valid JSON: ${cause}`, ...lineAndColumn(text, offset) };
}

function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf("\n"); i !== -1 && i < offset; i = text.indexOf("\n", i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, column: offset - lineStart + 1 };
}

/** The text before the first byte that does not decode, and that byte. */
function decodablePrefix(bytes: Uint8Array, encoding: string): { good: string; badByte: number } {
  let low = 0;
  let high = bytes.length;
  // The longest prefix that decodes (streaming: a character cut at the end is not an error).
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    try {
      new TextDecoder(encoding, { fatal: true }).decode(bytes.subarray(0, mid), { stream: true });
      low = mid;
    } catch {
      high = mid - 1;
    }
  }
  let good = "";
  try {
    good = new TextDecoder(encoding, { fatal: true }).decode(bytes.subarray(0, low), { stream: true });
  } catch {
    // unreachable: that prefix decoded above
  }
  // The decoded text ends before a character cut short; the bad byte starts that character.
  const bom = encoding === "utf-8" ? (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0) : 2;
  const used = bom + (encoding === "utf-8" ? new TextEncoder().encode(good).length : good.length * 2);
  return { good, badByte: bytes[used] ?? 0 };
}
