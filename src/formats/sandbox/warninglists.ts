/**
 * MISP warninglists (CC0, shipped in the package's data/misp-warninglists/): known-benign
 * domains, addresses and hashes that must never become IOCs. Read lazily, once per process, from
 * the package's own data folder (found relative to this module, as src/ and dist/ sit at the same
 * depth), and applied only to the attribute kinds each list names in `matching_attributes`.
 *
 * @module
 */
import { readFileSync, readdirSync } from "node:fs";
import { BlockList, isIP } from "node:net";
import { z } from "zod";

/** Where the lists are: `<package>/data/misp-warninglists/`. */
export const WARNINGLIST_DIR = new URL("../../../data/misp-warninglists/", import.meta.url);

/** What a value is, in MISP's attribute-type words. */
export type WarninglistKind = "domain" | "ip" | "hash" | "url";

const listFileSchema = z.object({
  name: z.string(),
  type: z.enum(["string", "substring", "hostname", "cidr", "regex"]),
  list: z.array(z.string()),
  matching_attributes: z.array(z.string()),
});

/** One loaded list with its matcher. */
interface LoadedList {
  /** The list's file name without `.json` (stable; MISP's display names change). */
  readonly id: string;
  readonly kinds: ReadonlySet<WarninglistKind>;
  readonly matches: (value: string) => boolean;
}

const KIND_OF_ATTRIBUTE: Readonly<Record<string, WarninglistKind>> = {
  domain: "domain",
  hostname: "domain",
  "domain|ip": "domain",
  url: "url",
  uri: "url",
  "ip-src": "ip",
  "ip-dst": "ip",
  md5: "hash",
  sha1: "hash",
  sha256: "hash",
  sha512: "hash",
};

let loaded: readonly LoadedList[] | undefined;

/** The lists, read on first use. A broken shipped list is a packaging bug: it throws, naming the file. */
export function warninglists(): readonly LoadedList[] {
  loaded ??= readdirSync(WARNINGLIST_DIR)
    .filter((name) => name.endsWith(".json"))
    .sort()
    .map((name) => {
      const url = new URL(name, WARNINGLIST_DIR);
      const parsed = listFileSchema.safeParse(JSON.parse(readFileSync(url, "utf8")));
      if (!parsed.success) throw new Error(`Warninglist ${url.pathname} is not a MISP warninglist: ${parsed.error.issues[0]?.message ?? "invalid"}`);
      const kinds = new Set(parsed.data.matching_attributes.flatMap((a) => KIND_OF_ATTRIBUTE[a] ?? []));
      // `domain|ip` lists carry addresses too (the CIDR lists name it): an IP kind for CIDR lists.
      if (parsed.data.type === "cidr") kinds.add("ip");
      return { id: name.slice(0, -".json".length), kinds, matches: matcher(parsed.data.type, parsed.data.list) };
    });
  return loaded;
}

/** The id of the first list that holds `value` as a `kind`, or undefined. */
export function warninglistHit(kind: WarninglistKind, value: string): string | undefined {
  const probe = kind === "ip" ? value : value.toLowerCase();
  if (probe === "") return undefined;
  for (const list of warninglists()) {
    if (!list.kinds.has(kind)) continue;
    if (kind === "url") {
      const host = hostOfUrl(probe);
      if ((host !== undefined && list.matches(host)) || list.matches(probe)) return list.id;
    } else if (list.matches(probe)) return list.id;
  }
  return undefined;
}

/** The host part of a URL, lower-cased, or undefined when it is not one. */
export function hostOfUrl(url: string): string | undefined {
  try {
    return new URL(url).hostname.toLowerCase().replace(/^\[|\]$/g, "");
  } catch {
    return undefined;
  }
}

function matcher(type: z.infer<typeof listFileSchema>["type"], entries: readonly string[]): (value: string) => boolean {
  switch (type) {
    case "cidr": {
      const blocks = new BlockList();
      for (const entry of entries) {
        const [address = "", bits] = entry.split("/");
        const family = isIP(address) === 6 ? "ipv6" : "ipv4";
        if (bits === undefined) blocks.addAddress(address, family);
        else blocks.addSubnet(address, Number(bits), family);
      }
      return (value) => {
        const family = isIP(value);
        return family !== 0 && blocks.check(value, family === 6 ? "ipv6" : "ipv4");
      };
    }
    case "string": {
      // Exact, case-insensitive; an entry with a leading dot matches any name ending with it.
      const exact = new Set(entries.filter((e) => !e.startsWith(".")).map((e) => e.toLowerCase()));
      const suffixes = entries.filter((e) => e.startsWith(".")).map((e) => e.toLowerCase());
      return (value) => exact.has(value) || suffixes.some((s) => value.endsWith(s));
    }
    case "hostname": {
      // The entry itself and every name below it.
      const names = new Set(entries.map((e) => e.toLowerCase().replace(/^\./, "")));
      return (value) => {
        for (let name = value; name !== ""; name = name.includes(".") ? name.slice(name.indexOf(".") + 1) : "") {
          if (names.has(name)) return true;
        }
        return false;
      };
    }
    case "substring": {
      const parts = entries.map((e) => e.toLowerCase());
      return (value) => parts.some((p) => value.includes(p));
    }
    case "regex": {
      const patterns = entries.map((e) => new RegExp(e, "i"));
      return (value) => patterns.some((p) => p.test(value));
    }
  }
}
