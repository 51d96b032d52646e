/**
 * Checks against the shared corpus next to the repository (../shared): every search term of the
 * real IOC files resolves, and the committed generated table matches the term lists. Skipped
 * where the corpus is absent (a plain clone).
 */
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { lookupTerm } from "./lookup.js";

const shared = fileURLToPath(new URL("../../../../shared", import.meta.url));
const realDir = `${shared}/corpus/openioc/real`;
const termsDir = `${shared}/corpus/openioc/schema/iocterms`;

/**
 * Terms of openioc_scan's Volatility vocabulary (GPL, deliberately not merged): no Mandiant or
 * FireEye list has them, so they stay unknown and are reported as unsupported.
 */
const VOLATILITY_ONLY = new Set([
  "DriverItem/TimerRoutineIncluded",
  "ProcessItem/DllPath",
  "ProcessItem/EnabledPrivilege/Name",
  "ProcessItem/Hooked/API/FunctionName",
  "ProcessItem/Hooked/API/HookingModuleName",
  "ProcessItem/ParentProcessName",
  "ProcessItem/SectionList/MemorySection/InjectedHexPattern",
  "ProcessItem/cmdLine",
  "RegistryItem/ShimCache/ExecutablePath",
]);

let cached: Map<string, number> | undefined;

/** Search term → uses, over the real files; read on first use (never when the suite is skipped). */
function searchTerms(): Map<string, number> {
  if (cached !== undefined) return cached;
  const counts = new Map<string, number>();
  const files = readdirSync(realDir, { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".ioc") || f.endsWith(".ioc.xml"));
  for (const file of files) {
    const text = readFileSync(`${realDir}/${file}`, "utf8");
    for (const m of text.matchAll(/<Context\b[^>]*?\bsearch\s*=\s*(["'])(.*?)\1/g)) {
      const term = m[2] ?? "";
      counts.set(term, (counts.get(term) ?? 0) + 1);
    }
  }
  cached = counts;
  return counts;
}

describe.skipIf(!existsSync(realDir))("real IOC corpus", () => {
  it("has search terms to check", () => {
    expect(searchTerms().size).toBeGreaterThan(100);
  });

  it("resolves every search term, or knows it as Volatility-only", () => {
    const unresolved = [...searchTerms().keys()].filter((t) => lookupTerm(t) === undefined && !VOLATILITY_ONLY.has(t)).sort();
    expect(unresolved).toEqual([]);
  });

  it("uses the exact spelling of the vocabulary (after eventItem/)", () => {
    const respelled = [...searchTerms().keys()].filter((t) => {
      const info = lookupTerm(t);
      return info !== undefined && info.term !== t.replace(/^eventItem\//, "");
    });
    expect(respelled).toEqual([]);
  });

  it("lists no Volatility-only term that the vocabulary knows", () => {
    for (const t of VOLATILITY_ONLY) expect(lookupTerm(t), t).toBeUndefined();
  });
});

describe.skipIf(!existsSync(termsDir))("terms.generated.ts", () => {
  it("is what scripts/build-vocabulary.ts generates from the term lists", () => {
    const script = fileURLToPath(new URL("../../../scripts/build-vocabulary.ts", import.meta.url));
    const out = execFileSync(process.execPath, ["--import", "tsx", script, "--check", "--source", termsDir], { encoding: "utf8" });
    expect(out).toMatch(/is up to date/);
  });
});
