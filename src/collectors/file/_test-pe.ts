/**
 * Builds minimal PE files for tests: a DOS header whose e_lfanew points at "PE\0\0", a COFF
 * header with the chosen TimeDateStamp and Characteristics, a PE32 optional header (magic only)
 * and a section table.
 *
 * @module
 */

export interface TestPe {
  readonly timeDateStamp: number;
  readonly sections: readonly string[];
  readonly dll?: boolean;
  /** Where the NT headers start (e_lfanew). Default 0x80. */
  readonly peOffset?: number;
  /** Bytes appended after the headers (the "code"). */
  readonly body?: Buffer;
}

const OPTIONAL_HEADER_SIZE = 0xe0; // PE32

export function buildPe(pe: TestPe): Buffer {
  const peOffset = pe.peOffset ?? 0x80;
  const tableStart = peOffset + 24 + OPTIONAL_HEADER_SIZE;
  const headers = Buffer.alloc(tableStart + 40 * pe.sections.length);
  headers.write("MZ", 0, "latin1");
  headers.write("This program cannot be run in DOS mode.", 0x4e, "latin1");
  headers.writeUInt32LE(peOffset, 0x3c);
  headers.write("PE\0\0", peOffset, "latin1");
  headers.writeUInt16LE(0x14c, peOffset + 4); // i386
  headers.writeUInt16LE(pe.sections.length, peOffset + 6);
  headers.writeUInt32LE(pe.timeDateStamp, peOffset + 8);
  headers.writeUInt16LE(OPTIONAL_HEADER_SIZE, peOffset + 20);
  headers.writeUInt16LE(0x0102 | (pe.dll === true ? 0x2000 : 0), peOffset + 22); // EXECUTABLE_IMAGE | 32BIT_MACHINE
  headers.writeUInt16LE(0x10b, peOffset + 24);
  pe.sections.forEach((name, i) => headers.write(name.slice(0, 8), tableStart + 40 * i, "utf8"));
  return Buffer.concat([headers, pe.body ?? Buffer.alloc(0)]);
}
