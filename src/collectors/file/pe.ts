/**
 * The few PE (Windows executable) header fields FileItem exposes, parsed from the first bytes of
 * a file: PEInfo/PETimeStamp, PEInfo/Type and PEInfo/Sections/Section/Name. Only headers are
 * read, and never more than {@link PE_HEADER_LIMIT} bytes, however the header fields lie.
 *
 * PEInfo/Type follows MIR audits: `Dll` when the COFF Characteristics carry IMAGE_FILE_DLL
 * (0x2000), otherwise `Executable` (drivers and EFI images included). IOCs compare it
 * case-insensitively, so `is DLL` matches.
 *
 * @module
 */

/** The header bytes a PE parse may need at most (DOS stub, NT headers, 96 section entries). */
export const PE_HEADER_LIMIT = 128 * 1024;

/** What the headers say. */
export interface PeInfo {
  /** COFF TimeDateStamp as ISO 8601 UTC (`2011-08-05T07:10:09Z`). */
  readonly timeStamp: string;
  readonly type: "Executable" | "Dll";
  readonly sectionNames: readonly string[];
}

/** Parsed, not a PE, or the first `bytes` of the file are needed to decide. */
export type PeParse = { readonly kind: "pe"; readonly info: PeInfo } | { readonly kind: "not-pe" } | { readonly kind: "need"; readonly bytes: number };

const NOT_PE = { kind: "not-pe" } as const;
const DOS_HEADER = 64;
const COFF_HEADER = 20;
const SECTION_ENTRY = 40;
/** The Windows loader's historical section limit; more entries are not listed. */
const MAX_SECTIONS = 96;
const IMAGE_FILE_DLL = 0x2000;
const OPTIONAL_MAGICS = new Set([0x10b, 0x20b, 0x107]);

/**
 * Parses PE headers from `head`, the first bytes of a file of `fileSize` bytes. When `head` is
 * too short but the file is long enough, says how many leading bytes to read and call again.
 */
export function parsePe(head: Uint8Array, fileSize: number): PeParse {
  const have = Math.min(head.length, fileSize);
  if (have < 2 || head[0] !== 0x4d || head[1] !== 0x5a) return NOT_PE;
  const need = (bytes: number): PeParse => {
    if (bytes > PE_HEADER_LIMIT || bytes > fileSize) return NOT_PE;
    return { kind: "need", bytes };
  };
  if (have < DOS_HEADER) return need(DOS_HEADER);
  const view = new DataView(head.buffer, head.byteOffset, have);
  const peOffset = view.getUint32(0x3c, true);
  const optionalStart = peOffset + 4 + COFF_HEADER;
  if (peOffset < 4 || have < optionalStart + 2) return need(optionalStart + 2);
  if (view.getUint32(peOffset, true) !== 0x00004550) return NOT_PE; // "PE\0\0"
  const coff = peOffset + 4;
  const sectionCount = view.getUint16(coff + 2, true);
  const timeDateStamp = view.getUint32(coff + 4, true);
  const optionalSize = view.getUint16(coff + 16, true);
  const characteristics = view.getUint16(coff + 18, true);
  // An image has an optional header with a known magic; an object file or garbage does not.
  if (optionalSize < 2 || !OPTIONAL_MAGICS.has(view.getUint16(optionalStart, true))) return NOT_PE;
  const tableStart = optionalStart + optionalSize;
  const listed = Math.min(sectionCount, MAX_SECTIONS);
  // Section entries past the end of a truncated file are simply not there.
  const present = Math.max(0, Math.min(listed, Math.floor((fileSize - tableStart) / SECTION_ENTRY)));
  const tableEnd = tableStart + present * SECTION_ENTRY;
  if (have < tableEnd) {
    const more = need(tableEnd);
    return more.kind === "need" ? more : { kind: "pe", info: info(timeDateStamp, characteristics, []) };
  }
  const names: string[] = [];
  for (let i = 0; i < present; i++) names.push(sectionName(head, tableStart + i * SECTION_ENTRY));
  return { kind: "pe", info: info(timeDateStamp, characteristics, names) };
}

function info(timeDateStamp: number, characteristics: number, sectionNames: string[]): PeInfo {
  const iso = new Date(timeDateStamp * 1000).toISOString();
  return {
    timeStamp: `${iso.slice(0, 19)}Z`,
    type: characteristics & IMAGE_FILE_DLL ? "Dll" : "Executable",
    sectionNames,
  };
}

/** An 8-byte, NUL-padded UTF-8 name (`.text`, `UPX0`; `/4` for MinGW's long names, as stored). */
function sectionName(bytes: Uint8Array, at: number): string {
  let end = at;
  while (end < at + 8 && bytes[end] !== 0) end++;
  return Buffer.from(bytes.buffer, bytes.byteOffset + at, end - at).toString("utf8");
}
