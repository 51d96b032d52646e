import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseIoc, type IocDocument } from "../../core/ioc/index.js";
import { writeIoc } from "../openioc-writer.js";
import { iocsToStixBundle } from "./ioc-to-stix.js";
import { parseStixPattern } from "./pattern-parser.js";
import { normaliseStixPattern, printStixPattern, quoteStixString } from "./pattern-print.js";
import { stixToIocs } from "./stix-to-ioc.js";

/** Runs per property; raise `PROPERTY_RUNS_SCALE` for a local soak. */
const RUNS = 150 * Number(process.env["PROPERTY_RUNS_SCALE"] ?? 1);

// Printable ASCII without the LIKE wildcards (a value holding them is exported as MATCHES).
const text = fc.stringMatching(/^[ -$&-^`-~]{1,12}$/);
const ipv4 = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((parts) => parts.join("."));

/** A comparison on a string path: =, !=, LIKE in its three convertible shapes, MATCHES, optionally NOT. */
function stringComparison(path: string): fc.Arbitrary<string> {
  return fc.oneof(
    text.map((v) => `${path} = ${quoteStixString(v)}`),
    text.map((v) => `${path} != ${quoteStixString(v)}`),
    fc.tuple(fc.boolean(), fc.constantFrom("%v%", "v%", "%v"), text).map(([not, shape, v]) => `${path} ${not ? "NOT " : ""}LIKE ${quoteStixString(shape.replace("v", () => v))}`),
    fc.tuple(fc.boolean(), text).map(([not, v]) => `${path} ${not ? "NOT " : ""}MATCHES ${quoteStixString(v)}`),
  );
}

/** Each object type with the comparisons the converters carry both ways. */
const OBJECTS: readonly fc.Arbitrary<string>[] = [
  fc.oneof(
    fc.constantFrom("MD5", "'SHA-1'", "'SHA-256'").chain((key) => fc.stringMatching(/^[0-9a-f]{32}$/).map((h) => `file:hashes.${key} = '${h}'`)),
    stringComparison("file:name"),
    stringComparison("file:parent_directory_ref.path"),
    fc.nat(1e9).map((n) => `file:size = ${n}`),
  ),
  fc.oneof(stringComparison("domain-name:value"), ipv4.map((ip) => `domain-name:resolves_to_refs[*].value = '${ip}'`)),
  stringComparison("url:value"),
  fc.oneof(stringComparison("process:image_ref.name"), stringComparison("process:command_line")),
  stringComparison("mutex:name"),
  fc.oneof(stringComparison("windows-registry-key:key"), stringComparison("windows-registry-key:values[*].name"), stringComparison("windows-registry-key:values[*].data")),
  fc.oneof(ipv4, ipv4.map((ip) => `${ip}/24`)).map((ip) => `ipv4-addr:value = '${ip}'`),
];

/** The OpenIOC document of each entry of OBJECTS: mutexes are process handles. */
const DOCUMENT_OF = ["FileItem", "DnsEntryItem", "UrlHistoryItem", "ProcessItem", "ProcessItem", "RegistryItem", "PortItem"];

/** One observation: 1–3 comparisons on one object type, joined by one AND or OR. */
const observation = fc.tuple(fc.nat(OBJECTS.length - 1), fc.constantFrom(" AND ", " OR ")).chain(([index, join]) =>
  fc.array(OBJECTS[index] as fc.Arbitrary<string>, { minLength: 1, maxLength: 3 }).map((comparisons) => ({ document: DOCUMENT_OF[index], text: `[${comparisons.join(join)}]` })),
);
const networkTraffic = fc.tuple(ipv4, fc.nat(65535)).map(([ip, port]) => ({ document: "PortItem", text: `[network-traffic:dst_ref.value = '${ip}' AND network-traffic:dst_port = ${port}]` }));

/**
 * Observations joined by OR, or by AND when each is about a different OpenIOC document (an AND
 * of two observations of one document is reported: OpenIOC binds them to one object).
 */
const pattern = fc.tuple(fc.array(fc.oneof(observation, networkTraffic), { minLength: 1, maxLength: 4 }), fc.boolean()).map(([observations, and]) => {
  const distinct = new Set(observations.map((o) => o.document)).size === observations.length;
  return observations.map((o) => o.text).join(and && distinct ? " AND " : " OR ");
});

const normal = (p: string): string => printStixPattern(normaliseStixPattern(parseStixPattern(p)));

describe("STIX -> OpenIOC -> STIX round trip (property)", () => {
  it("stixToIocs() and iocsToStixBundle() keep the meaning of any pattern built from the supported comparisons", () => {
    fc.assert(
      fc.property(pattern, (p) => {
        const id = "indicator--3a1f9c52-7d4e-4b8a-9f00-0123456789ab";
        const { iocs, warnings } = stixToIocs({ type: "bundle", id: "bundle--3a1f9c52-7d4e-4b8a-9f00-0123456789ac", objects: [{ type: "indicator", id, pattern: p, pattern_type: "stix", created: "2024-01-01T00:00:00Z" }] });
        expect(warnings).toEqual([]);
        expect(iocs[0]?.warnings).toEqual([]);
        const read = parseIoc(writeIoc(iocs[0]?.document as IocDocument));
        expect(read.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
        const back = iocsToStixBundle([read.document as IocDocument]);
        expect(back.warnings).toEqual([]);
        expect(back.bundle.objects[0]?.["id"]).toBe(id);
        expect(normal(String(back.bundle.objects[0]?.["pattern"]))).toBe(normal(p));
      }),
      { numRuns: RUNS },
    );
  });
});
