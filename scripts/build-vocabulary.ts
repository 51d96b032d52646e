/**
 * Builds src/core/vocabulary/terms.generated.ts from the Apache-2.0 OpenIOC term lists.
 *
 *   npx tsx scripts/build-vocabulary.ts [--source DIR] [--check]
 *
 * --source  folder holding the .iocterms files (default: ../shared/corpus/openioc/schema/iocterms
 *           next to the repository)
 * --check   do not write; exit 1 when the committed file differs from what would be generated
 *
 * Only the Apache-2.0 lists are read. The openioc_scan (volatility) JSON and the pyioce lists are
 * under other licences and stay out of the generated file on purpose.
 *
 * The output is deterministic: terms sorted by code unit, one row per term, no timestamps.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { SaxesParser } from "saxes";
import type { Platform, ValueType } from "../src/core/vocabulary/types.js";
import { valueTypeOfName } from "../src/core/vocabulary/type-names.js";

/** One term list, in priority order: the first list that has a term decides its type. */
interface SourceList {
  readonly file: string;
  readonly description: string;
  /** Whether the list carries FireEye's `platform` attribute (the 2020 lists). */
  readonly hasPlatforms: boolean;
  /** The 2013 MIR list sets `inMir2013`. */
  readonly isMir2013: boolean;
}

const SOURCES: readonly SourceList[] = [
  { file: "current.iocterms", description: "FireEye/Mandiant OpenIOC 1.1 term list, 2020-11-06", hasPlatforms: true, isMir2013: false },
  { file: "eventitem.iocterms", description: "FireEye HX real-time event terms, 2020-11-06", hasPlatforms: true, isMir2013: false },
  { file: "current.2013-08.iocterms", description: "Mandiant MIR term list, 2013", hasPlatforms: false, isMir2013: true },
  { file: "ioc_writer-yara.iocterms", description: "Mandiant ioc_writer Yara terms, 2013", hasPlatforms: false, isMir2013: false },
];

/** One `<iocterm>` element as read. */
interface RawTerm {
  readonly term: string;
  readonly displayType: string;
  readonly platforms: readonly Platform[];
  readonly title: string;
}

const PLATFORM_LETTER: Readonly<Record<Platform, string>> = { win: "w", osx: "m", linux: "l" };

/** Maps a display-type to a value type; anything unknown compares as a string (never wrongly typed). */
function valueTypeOf(displayType: string, warn: (message: string) => void = () => {}): ValueType {
  const type = valueTypeOfName(displayType);
  if (type === undefined) {
    warn(`unknown display-type "${displayType}", using string`);
    return "string";
  }
  return type;
}

/**
 * The 2020 list spells HX event terms `eventItem/processEvent/pid`, eventitem.iocterms spells them
 * `processEvent/pid`, and IOC files use both. The document is the event (`processEvent`), so the
 * prefix goes. The generic event fields (`eventItem/uid`, `eventItem/timestamp`) keep it: without
 * it they would be documents of their own.
 */
function canonicalTermName(text: string): string {
  const prefix = "eventItem/";
  if (!text.startsWith(prefix)) return text;
  const rest = text.slice(prefix.length);
  const slash = rest.indexOf("/");
  return slash > 0 && rest.slice(0, slash).endsWith("Event") ? rest : text;
}

/** Reads every `<iocterm>` of one list. */
function parseTermList(xml: string): RawTerm[] {
  // current.iocterms opens with a licence comment before the XML declaration, which XML forbids.
  const start = xml.search(/<\?xml|<[A-Za-z]/);
  const body = start >= 0 ? xml.slice(start) : xml;
  const terms: RawTerm[] = [];
  const parser = new SaxesParser({ xmlns: false });
  parser.on("error", (error) => {
    throw error;
  });
  parser.on("opentag", (tag) => {
    if (tag.name !== "iocterm") return;
    const attr = (name: string): string => {
      const value = tag.attributes[name];
      return typeof value === "string" ? value : "";
    };
    const text = attr("text").trim();
    if (text === "") return;
    terms.push({
      term: canonicalTermName(text),
      displayType: attr("display-type") || "string",
      platforms: parsePlatforms(attr("platform")),
      title: attr("title"),
    });
  });
  parser.write(body).close();
  return terms;
}

function parsePlatforms(text: string): Platform[] {
  const out: Platform[] = [];
  for (const part of text.split(",")) {
    const p = part.trim();
    if (p === "win" || p === "osx" || p === "linux") out.push(p);
  }
  return out;
}

/** What the merge keeps per term. */
interface MergedTerm {
  type: ValueType;
  platforms: Set<Platform>;
  inMir2013: boolean;
  /** Every entry's title marked it deprecated / unsupported. */
  deprecated: boolean;
  unsupported: boolean;
}

/**
 * One list may declare a term twice with per-platform types (`DnsEntryItem/TimeToLive` string on
 * Windows, int on macOS). Such a term is widened: int+uint64 to uint64, anything else to string,
 * so that no platform's values fail to parse.
 */
function widen(a: ValueType, b: ValueType): ValueType {
  if (a === b) return a;
  const ints: readonly ValueType[] = ["int", "uint64"];
  if (ints.includes(a) && ints.includes(b)) return "uint64";
  return "string";
}

function mergeLists(lists: readonly { source: SourceList; terms: readonly RawTerm[] }[], warn: (m: string) => void): Map<string, MergedTerm> {
  const merged = new Map<string, MergedTerm>();
  for (const { source, terms } of lists) {
    // Types inside one list first (widened), then across lists (first list wins).
    const local = new Map<string, { type: ValueType; platforms: Set<Platform>; deprecated: boolean; unsupported: boolean }>();
    for (const raw of terms) {
      const type = valueTypeOf(raw.displayType, (m) => warn(`${source.file}: ${raw.term}: ${m}`));
      const deprecated = /\*deprecated\*/i.test(raw.title);
      const unsupported = /\*unsupported\*/i.test(raw.title);
      const seen = local.get(raw.term);
      if (seen === undefined) {
        local.set(raw.term, { type, platforms: new Set(raw.platforms), deprecated, unsupported });
      } else {
        seen.type = widen(seen.type, type);
        for (const p of raw.platforms) seen.platforms.add(p);
        seen.deprecated &&= deprecated;
        seen.unsupported &&= unsupported;
      }
    }
    for (const [term, entry] of local) {
      const existing = merged.get(term);
      if (existing === undefined) {
        merged.set(term, {
          type: entry.type,
          platforms: source.hasPlatforms ? entry.platforms : new Set(),
          inMir2013: source.isMir2013,
          deprecated: entry.deprecated,
          unsupported: entry.unsupported,
        });
        continue;
      }
      if (source.hasPlatforms) for (const p of entry.platforms) existing.platforms.add(p);
      if (source.isMir2013) existing.inMir2013 = true;
    }
  }
  return merged;
}

/** Plain code-unit order: the same on every machine and locale. */
function byCodeUnit(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function renderModule(merged: ReadonlyMap<string, MergedTerm>): string {
  const platformOrder: readonly Platform[] = ["win", "osx", "linux"];
  const rows = [...merged.keys()].sort(byCodeUnit).map((term) => {
    const t = merged.get(term);
    if (t === undefined) throw new Error("unreachable");
    const platforms = platformOrder.filter((p) => t.platforms.has(p)).map((p) => PLATFORM_LETTER[p]).join("");
    const flags = (t.inMir2013 ? 1 : 0) | (t.deprecated ? 2 : 0) | (t.unsupported ? 4 : 0);
    return `  [${JSON.stringify(term)}, ${JSON.stringify(t.type)}, ${JSON.stringify(platforms)}, ${flags}],`;
  });
  const sources = SOURCES.map((s) => ` *   - ${s.file}: ${s.description}`).join("\n");
  return `/**
 * The OpenIOC indicator terms iocscan knows, merged from these term lists:
${sources}
 *
 * Licence of the term lists: Apache License 2.0. Copyright 2013 Mandiant Corporation;
 * later revisions Copyright FireEye, Inc. See NOTICE at the repository root.
 *
 * Generated by scripts/build-vocabulary.ts — do not edit.
 *
 * @module
 */
import type { ValueType } from "./types.js";

/**
 * One term: [term, type, platforms, flags].
 * platforms: FireEye's declaration as letters (w = win, m = osx, l = linux), "" when no list says.
 * flags: 1 = in the 2013 MIR list, 2 = marked deprecated, 4 = marked unsupported by FireEye.
 */
export type TermRow = readonly [term: string, type: ValueType, platforms: string, flags: number];

export const TERM_FLAG_MIR2013 = 1;
export const TERM_FLAG_DEPRECATED = 2;
export const TERM_FLAG_UNSUPPORTED = 4;

export const TERM_SOURCES: readonly string[] = ${JSON.stringify(SOURCES.map((s) => s.file))};

export const TERM_ROWS: readonly TermRow[] = [
${rows.join("\n")}
];
`;
}

function argValue(args: readonly string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

function main(args: readonly string[]): number {
  const sourceArg = argValue(args, "--source");
  const sourceDir = sourceArg !== undefined
    ? pathToFileURL(`${resolve(sourceArg)}/`)
    : new URL("../../shared/corpus/openioc/schema/iocterms/", import.meta.url);
  const target = new URL("../src/core/vocabulary/terms.generated.ts", import.meta.url);
  const warnings: string[] = [];
  const lists = SOURCES.map((source) => ({
    source,
    terms: parseTermList(readFileSync(new URL(source.file, sourceDir), "utf8")),
  }));
  const merged = mergeLists(lists, (m) => warnings.push(m));
  for (const w of warnings) console.warn(`warning: ${w}`);
  const text = renderModule(merged);
  const path = fileURLToPath(target);
  if (args.includes("--check")) {
    let current = "";
    try {
      current = readFileSync(target, "utf8");
    } catch {
      // a missing file is simply out of date
    }
    if (current !== text) {
      console.error(`${path} is out of date: run npx tsx scripts/build-vocabulary.ts`);
      return 1;
    }
    console.log(`${path} is up to date (${merged.size} terms)`);
    return 0;
  }
  writeFileSync(target, text);
  console.log(`wrote ${path} (${merged.size} terms)`);
  return 0;
}

process.exitCode = main(process.argv.slice(2));
