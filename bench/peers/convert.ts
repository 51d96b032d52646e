/**
 * One IOC master list converted into each tool's format (../shared/docs/benchmark-peers.md
 * section 3): OpenIOC for iocscan (one IOC per 10,000 entries, an OR of FileItem/Sha256sum items; the size-carrying
 * variant ORs `SizeInBytes AND Sha256sum` pairs; an MD5 variant), ClamAV `.hsb`/`.hdb`
 * (`hash:size:name`), YARA rules with the `hash` module (with and without a `filesize` guard),
 * and sha256sum-style known-hash files for sha256deep/md5deep `-m`.
 *
 * Lists of a million entries make files of hundreds of MB, so every writer streams its lines.
 *
 * @module
 */
import { closeSync, mkdirSync, openSync, writeSync } from "node:fs";
import { join } from "node:path";
import type { IocEntry } from "./data.js";

/** Paths of one list's converted files. */
export interface Converted {
  readonly folder: string;
  readonly entries: number;
  /** Folders of OpenIOC files (see ENTRIES_PER_IOC_FILE). */
  readonly openiocSha256: string;
  readonly openiocSized: string;
  readonly openiocMd5: string;
  readonly hsb: string;
  readonly hdb: string;
  /** A folder holding only `iocs.hsb`, for clamd's DatabaseDirectory. */
  readonly clamdDb: string;
  readonly yaraSized: string;
  readonly yaraUnsized: string;
  readonly knownSha256: string;
  readonly knownMd5: string;
}

/** Writes `head`, one `line(entry, i)` per entry and `tail` to `path`, in chunks of about 1 MB. */
function writeLines(path: string, entries: readonly IocEntry[], line: (e: IocEntry, i: number) => string, head = "", tail = ""): void {
  const fd = openSync(path, "w");
  try {
    let chunk = head;
    for (let i = 0; i < entries.length; i++) {
      chunk += line(entries[i] as IocEntry, i);
      if (chunk.length > 1 << 20) {
        writeSync(fd, chunk);
        chunk = "";
      }
    }
    writeSync(fd, chunk + tail);
  } finally {
    closeSync(fd);
  }
}

/** A fixed, valid UUID per (kind, index): the files are byte-identical from run to run. */
const uuid = (kind: number, i: number): string => `00000000-000${kind}-4000-a000-${i.toString(16).padStart(12, "0")}`;

function item(search: string, type: string, value: string | number, id: string, indent: string): string {
  return (
    `${indent}<IndicatorItem id="${id}" condition="is">\n` +
    `${indent}  <Context document="FileItem" search="${search}" type="mir"/>\n` +
    `${indent}  <Content type="${type}">${value}</Content>\n` +
    `${indent}</IndicatorItem>\n`
  );
}

/**
 * iocscan refuses IOC files over 10 MiB (IOC004), so a list is written as a folder of OpenIOC
 * files of at most this many entries each (one IOC each, an OR of its entries): a list of 1,010
 * is one file, 100,000 make 10 files, 1,000,000 make 100.
 */
export const ENTRIES_PER_IOC_FILE = 10_000;

function writeOpenIoc(folder: string, entries: readonly IocEntry[], title: string, line: (e: IocEntry, i: number) => string): void {
  mkdirSync(folder, { recursive: true });
  for (let part = 0, from = 0; from < entries.length; part++, from += ENTRIES_PER_IOC_FILE) {
    const head =
      `<?xml version="1.0" encoding="utf-8"?>\n` +
      `<ioc xmlns="http://schemas.mandiant.com/2010/ioc" id="${uuid(0, part)}" last-modified="2026-11-28T00:00:00">\n` +
      `  <short_description>${title}${entries.length > ENTRIES_PER_IOC_FILE ? ` part ${part + 1}` : ""}</short_description>\n` +
      `  <authored_by>iocscan bench:peers</authored_by>\n` +
      `  <authored_date>2026-11-28T00:00:00</authored_date>\n` +
      `  <definition>\n` +
      `    <Indicator operator="OR" id="${uuid(6, part)}">\n`;
    const slice = entries.slice(from, from + ENTRIES_PER_IOC_FILE);
    writeLines(join(folder, `part-${String(part).padStart(4, "0")}.ioc`), slice, (e, i) => line(e, from + i), head, `    </Indicator>\n  </definition>\n</ioc>\n`);
  }
}

/** Only the hash-only OpenIOC folder (the IOC-count scaling runs need nothing else). */
export function writeOpenIocSha256(entries: readonly IocEntry[], folder: string): void {
  writeOpenIoc(folder, entries, `bench:peers ${entries.length.toLocaleString("en-US")} SHA-256`, (e, i) => item("FileItem/Sha256sum", "sha256", e.sha256, uuid(1, i), "      "));
}

/** Converts `entries` into every format, in `folder` (created). */
export function convertList(entries: readonly IocEntry[], folder: string): Converted {
  mkdirSync(folder, { recursive: true });
  const clamdDb = join(folder, "clamdb");
  mkdirSync(clamdDb, { recursive: true });
  const out: Converted = {
    folder,
    entries: entries.length,
    openiocSha256: join(folder, "openioc-sha256"),
    openiocSized: join(folder, "openioc-sha256-sized"),
    openiocMd5: join(folder, "openioc-md5"),
    hsb: join(clamdDb, "iocs.hsb"),
    hdb: join(folder, "iocs.hdb"),
    clamdDb,
    yaraSized: join(folder, "hash_sized.yar"),
    yaraUnsized: join(folder, "hash_unsized.yar"),
    knownSha256: join(folder, "known_sha256.txt"),
    knownMd5: join(folder, "known_md5.txt"),
  };
  const n = entries.length.toLocaleString("en-US");
  writeOpenIocSha256(entries, out.openiocSha256);
  writeOpenIoc(
    out.openiocSized,
    entries,
    `bench:peers ${n} SHA-256 with sizes`,
    (e, i) =>
      `      <Indicator operator="AND" id="${uuid(2, i)}">\n` +
      item("FileItem/SizeInBytes", "int", e.size, uuid(3, i), "        ") +
      item("FileItem/Sha256sum", "sha256", e.sha256, uuid(4, i), "        ") +
      `      </Indicator>\n`,
  );
  writeOpenIoc(out.openiocMd5, entries, `bench:peers ${n} MD5`, (e, i) => item("FileItem/Md5sum", "md5", e.md5, uuid(5, i), "      "));
  // ClamAV rejects a size of 0 ("Invalid value for the size field"): such an entry gets the
  // wildcard size, which needs functionality level 73.
  const clamSize = (e: IocEntry, hash: string): string => (e.size === 0 ? `${hash}:*:${e.name}:73\n` : `${hash}:${e.size}:${e.name}\n`);
  writeLines(out.hsb, entries, (e) => clamSize(e, e.sha256));
  writeLines(out.hdb, entries, (e) => clamSize(e, e.md5));
  writeLines(out.yaraSized, entries, (e) => `rule h_${e.name} { condition: filesize == ${e.size} and hash.sha256(0, filesize) == "${e.sha256}" }\n`, `import "hash"\n`);
  writeLines(out.yaraUnsized, entries, (e) => `rule h_${e.name} { condition: hash.sha256(0, filesize) == "${e.sha256}" }\n`, `import "hash"\n`);
  writeLines(out.knownSha256, entries, (e) => `${e.sha256}  ${e.name}\n`);
  writeLines(out.knownMd5, entries, (e) => `${e.md5}  ${e.name}\n`);
  return out;
}
