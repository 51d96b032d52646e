/**
 * The conformance suite every collector's test runs (hono's `common.case.test.ts`, osquery's
 * `validate_rows`): the declaration is sane, every record fits the declaration and the
 * vocabulary, ids are unique, and the collector stops soon when cancelled.
 *
 * @module
 */
import { describe, expect, it } from "vitest";
import { LINUX_COLLECTED, allDocuments, lookupTerm, parseValue, type TermInfo } from "../core/vocabulary/index.js";
import type { FieldValue } from "../core/evaluate/index.js";
import { collectAll } from "./test-context.js";
import type { Collector, CollectorContext, CollectorWarning, HostRecord } from "./types.js";

export { collectAll, createTestContext, type TestContext } from "./test-context.js";

/** A fresh context asking for `fields`; the suite adds the abort signal itself. */
export type MakeContext = (fields: ReadonlySet<string>) => CollectorContext;

/** Options of {@link runConformance}. */
export interface ConformanceOptions<O> {
  /** The collector's options for every run. */
  readonly options?: O;
  /** Records the host (or fixture) is known to have; fewer is a failure. Default 0. */
  readonly minRecords?: number;
  /** Names the run when a test calls the suite more than once (`"fixture root"`, `"live"`). */
  readonly label?: string;
}

const PERMISSIONS: ReadonlySet<string> = new Set(["fs.read", "process.read", "net.read"]);
const NUMERIC = new Set(["int", "uint64", "float"]);

/** `dns-entry` → `DnsEntryItem`. */
function documentOfName(name: string): string {
  return `${name.replace(/(^|-)([a-z])/g, (_m, _dash: string, c: string) => c.toUpperCase())}Item`;
}

/** Problems of the declaration; empty when sane. */
export function checkDeclaration(collector: Collector<unknown>): string[] {
  const problems: string[] = [];
  const { name, document, fields } = collector;
  if (!/^[a-z]+(-[a-z]+)*$/.test(name)) problems.push(`name "${name}" is not kebab-case`);
  if (documentOfName(name) !== document) problems.push(`name "${name}" does not name document "${document}"`);
  if (!allDocuments().includes(document)) problems.push(`document "${document}" is not in the vocabulary`);
  if (!collector.platforms.includes("linux")) problems.push(`platforms do not include linux`);
  if (!PERMISSIONS.has(collector.permission)) problems.push(`permission "${collector.permission}" is not one of ${[...PERMISSIONS].join(", ")}`);
  if (collector.description.trim() === "") problems.push("description is empty");
  if (fields.length === 0) problems.push("no fields are declared");
  const collected = new Set(LINUX_COLLECTED[document] ?? []);
  const seen = new Set<string>();
  for (const field of fields) {
    if (seen.has(field)) problems.push(`field "${field}" is declared twice`);
    seen.add(field);
    const info = lookupTerm(`${document}/${field}`);
    if (info?.term !== `${document}/${field}`) problems.push(`field "${field}" is not spelled as a vocabulary term of ${document}`);
    if (!collected.has(field)) problems.push(`field "${field}" is not in LINUX_COLLECTED.${document}`);
  }
  return problems;
}

function checkScalar(field: string, info: TermInfo, value: unknown): string | undefined {
  const expected = info.type === "string" ? "string" : NUMERIC.has(info.type) ? "number" : info.type === "bool" ? "boolean" : "string";
  if (typeof value !== expected) return `"${field}": ${JSON.stringify(value)} is a ${typeof value}, expected a ${expected} (${info.type})`;
  if (info.type === "string") return undefined;
  const parsed = parseValue(info.type, String(value), { ranges: false });
  return parsed.ok ? undefined : `"${field}": ${JSON.stringify(value)} is not a valid ${info.type}: ${parsed.reason}`;
}

function checkValue(field: string, info: TermInfo, value: FieldValue): string[] {
  if (!Array.isArray(value)) return info.listValued ? [`"${field}" is list-valued but holds a scalar`] : [checkScalar(field, info, value)].filter((p) => p !== undefined);
  if (!info.listValued) return [`"${field}" is not list-valued but holds a list`];
  return (value as readonly unknown[]).map((element) => checkScalar(field, info, element)).filter((p) => p !== undefined);
}

/** Problems of one record against its collector's declaration; `ids` tracks uniqueness. */
export function checkRecord(collector: Collector<unknown>, record: HostRecord, ids: Set<string>): string[] {
  const problems: string[] = [];
  const where = `record "${record.id}"`;
  if (record.document !== collector.document) problems.push(`${where}: document "${record.document}", expected "${collector.document}"`);
  if (typeof record.id !== "string" || record.id === "") problems.push(`a record has an empty id`);
  else if (ids.has(record.id)) problems.push(`${where}: id is not unique`);
  ids.add(record.id);
  const declared = new Set(collector.fields);
  for (const [field, value] of Object.entries(record.fields)) {
    if (value === undefined || value === null) continue;
    if (!declared.has(field)) {
      problems.push(`${where}: field "${field}" is not declared`);
      continue;
    }
    const info = lookupTerm(`${collector.document}/${field}`);
    if (info !== undefined) problems.push(...checkValue(field, info, value).map((p) => `${where}: ${p}`));
  }
  return problems;
}

/** Problems of one warning: a kebab-case code and a message are required. */
export function checkWarning(warning: CollectorWarning): string[] {
  const problems: string[] = [];
  if (!/^[a-z]+(-[a-z]+)*$/.test(warning.code)) problems.push(`warning code "${warning.code}" is not kebab-case`);
  if (warning.message.trim() === "") problems.push(`warning "${warning.code}" has no message`);
  return problems;
}

async function checkRun<O>(collector: Collector<O>, context: CollectorContext, options: O): Promise<{ records: HostRecord[]; problems: string[] }> {
  const warnings: CollectorWarning[] = [];
  const watched: CollectorContext = {
    ...delegate(context),
    warn(warning) {
      warnings.push(warning);
      context.warn(warning);
    },
  };
  const records = await collectAll(collector, watched, options);
  const ids = new Set<string>();
  const problems = [
    ...records.flatMap((r) => checkRecord(collector as Collector<unknown>, r, ids)),
    ...warnings.flatMap(checkWarning),
  ];
  return { records, problems: problems.slice(0, 25) };
}

/** A copy of `context` that delegates by call, so class-based contexts keep their `this`. */
function delegate(context: CollectorContext): CollectorContext {
  const copy: CollectorContext = {
    host: context.host,
    fields: context.fields,
    warn: (warning) => context.warn(warning),
    count: (stat, by) => context.count(stat, by),
  };
  return context.signal === undefined ? copy : { ...copy, signal: context.signal };
}

function withSignal(context: CollectorContext, signal: AbortSignal): CollectorContext {
  return { ...delegate(context), signal };
}

/** Counts records yielded after `abortAfter` records have been seen (0 = aborted before start). */
async function recordsAfterAbort<O>(collector: Collector<O>, makeContext: MakeContext, options: O, abortAfter: number): Promise<number> {
  const controller = new AbortController();
  if (abortAfter === 0) controller.abort();
  const context = withSignal(makeContext(new Set(collector.fields)), controller.signal);
  let seen = 0;
  let after = 0;
  try {
    for await (const _record of collector.collect(context, options)) {
      if (controller.signal.aborted) after++;
      seen++;
      if (seen === abortAfter) controller.abort();
    }
  } catch (error) {
    // Ending with an AbortError is as good as returning.
    if (!(error instanceof Error && error.name === "AbortError")) throw error;
  }
  return after;
}

/**
 * Registers the shared suite for `collector`.
 *
 * @example
 * ```ts
 * runConformance(userCollector, (fields) => createTestContext(createHostView(fixtureRoot), fields), { minRecords: 2 });
 * ```
 */
export function runConformance<O>(collector: Collector<O>, makeContext: MakeContext, conformance: ConformanceOptions<O> = {}): void {
  const options = conformance.options as O;
  const minRecords = conformance.minRecords ?? 0;
  const label = conformance.label === undefined ? "" : ` (${conformance.label})`;
  describe(`${collector.name} collector conformance${label}`, () => {
    it(`${collector.name} declares a kebab-case name, a known document and collected vocabulary terms`, () => {
      expect(checkDeclaration(collector as Collector<unknown>)).toEqual([]);
    });

    it(`${collector.name} yields only declared, well-typed fields under unique ids when every field is requested`, async () => {
      const { records, problems } = await checkRun(collector, makeContext(new Set(collector.fields)), options);
      expect(problems).toEqual([]);
      expect(records.length).toBeGreaterThanOrEqual(minRecords);
    });

    it(`${collector.name} yields conformant records when no field is requested`, async () => {
      const { records, problems } = await checkRun(collector, makeContext(new Set()), options);
      expect(problems).toEqual([]);
      expect(records.length).toBeGreaterThanOrEqual(minRecords);
    });

    it(`${collector.name} stops soon when its signal is aborted`, async () => {
      expect(await recordsAfterAbort(collector, makeContext, options, 0)).toBeLessThanOrEqual(1);
      expect(await recordsAfterAbort(collector, makeContext, options, 1)).toBeLessThanOrEqual(1);
    });
  });
}
