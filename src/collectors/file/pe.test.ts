import { describe, expect, it } from "vitest";
import { buildPe } from "./_test-pe.js";
import { parsePe, PE_HEADER_LIMIT } from "./pe.js";

// 2011-08-05T07:10:09Z
const STAMP = 1312528209;

describe("parsePe", () => {
  it("parsePe reads the COFF time stamp, the type and the section names", () => {
    const file = buildPe({ timeDateStamp: STAMP, sections: [".text", ".rdata", "UPX0"] });
    expect(parsePe(file, file.length)).toEqual({
      kind: "pe",
      info: { timeStamp: "2011-08-05T07:10:09Z", type: "Executable", sectionNames: [".text", ".rdata", "UPX0"] },
    });
  });

  it("parsePe calls a DLL a Dll (MIR's spelling; IOCs compare it case-insensitively)", () => {
    const file = buildPe({ timeDateStamp: 0, sections: [".text"], dll: true });
    expect(parsePe(file, file.length)).toMatchObject({ kind: "pe", info: { type: "Dll", timeStamp: "1970-01-01T00:00:00Z" } });
  });

  it("parsePe asks for more leading bytes when the headers lie beyond what it was given", () => {
    const file = buildPe({ timeDateStamp: STAMP, sections: [".text"], peOffset: 0x2000 });
    const first = parsePe(file.subarray(0, 4096), file.length);
    expect(first).toEqual({ kind: "need", bytes: 0x2000 + 26 });
    const second = parsePe(file.subarray(0, 0x2000 + 26), file.length);
    expect(second.kind).toBe("need");
    expect(parsePe(file, file.length)).toMatchObject({ kind: "pe", info: { sectionNames: [".text"] } });
  });

  it("parsePe rejects files that only look like PE: no MZ, no PE signature, no optional header magic", () => {
    const good = buildPe({ timeDateStamp: STAMP, sections: [".text"] });
    expect(parsePe(Buffer.from("ELF and more bytes"), 18)).toEqual({ kind: "not-pe" });
    const noSignature = Buffer.from(good);
    noSignature.write("XX", 0x80, "latin1");
    expect(parsePe(noSignature, noSignature.length)).toEqual({ kind: "not-pe" });
    const noMagic = Buffer.from(good);
    noMagic.writeUInt16LE(0, 0x80 + 24);
    expect(parsePe(noMagic, noMagic.length)).toEqual({ kind: "not-pe" });
    // "MZ" text files are common: too short for a DOS header.
    expect(parsePe(Buffer.from("MZ hello"), 8)).toEqual({ kind: "not-pe" });
  });

  it("parsePe never asks for more than PE_HEADER_LIMIT bytes, whatever e_lfanew says", () => {
    const file = Buffer.alloc(PE_HEADER_LIMIT * 2);
    file.write("MZ", 0, "latin1");
    file.writeUInt32LE(PE_HEADER_LIMIT + 8, 0x3c);
    expect(parsePe(file.subarray(0, 4096), file.length)).toEqual({ kind: "not-pe" });
  });

  it("parsePe lists only the section entries a truncated file still holds", () => {
    const file = buildPe({ timeDateStamp: STAMP, sections: [".text", ".data", ".rsrc"] });
    const cut = file.subarray(0, file.length - 50);
    expect(parsePe(cut, cut.length)).toMatchObject({ kind: "pe", info: { sectionNames: [".text"] } });
  });
});
