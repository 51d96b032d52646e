/**
 * What the server checks of an IOC file before storing it: the reader's and the semantic checks
 * of src/core/ioc, with line and column per diagnostic. A file with an error is unusable.
 * STIX 2.1 bundles and MISP events are converted to OpenIOC first (told apart by content).
 *
 * @module
 */
import { createHash } from "node:crypto";
import { checkIoc, hasErrors, parseIoc } from "../core/ioc/index.js";
import { ConversionInputError, convertToOpenIoc, detectFormat } from "../formats/interchange.js";
import type { IocDiagnosticRecord, IocValidation } from "../store/fleet/index.js";

/** Validates one file's bytes. */
export function validateIocFile(content: Uint8Array): IocValidation {
  const parsed = parseIoc(content);
  const document = parsed.document;
  const checked = document === undefined ? undefined : checkIoc(document);
  const diagnostics = [...parsed.diagnostics, ...(checked?.diagnostics ?? [])].map(({ code, severity, message, line, column }) => ({ code, severity, message, line, column }));
  return {
    usable: document !== undefined && !hasErrors(diagnostics),
    iocId: document?.id ?? "",
    title: document?.title ?? "",
    openiocVersion: document?.version ?? null,
    items: checked?.items ?? 0,
    supportedItems: checked?.supportedItems ?? 0,
    diagnostics,
  };
}

/** Hex SHA-256 of the bytes, as agents check it. */
export const sha256Hex = (content: Uint8Array): string => createHash("sha256").update(content).digest("hex");

/** A file to store: an uploaded OpenIOC file, or one converted from an uploaded STIX/MISP file. */
export interface PreparedIocFile {
  readonly name: string;
  readonly content: Uint8Array;
  readonly validation: IocValidation;
}

/** Conversion warnings and errors have no XML position: line and column 0, the JSON path in the message. */
const conversionDiagnostic = (code: string, severity: "error" | "warning", message: string): IocDiagnosticRecord => ({ code, severity, message, line: 0, column: 0 });

/**
 * One uploaded file -> the files to store. OpenIOC is validated as it is. A STIX 2.1 bundle or a
 * MISP event becomes one OpenIOC file per converted indicator or event, named after the upload
 * (`name` alone for one IOC, `name (2/5)` for several), each carrying the conversion warnings
 * (`CNV001`) among its diagnostics. STIX 1.x, input that breaks its format, or input of which
 * nothing converts is one unusable file with a `CNV002` error.
 */
export function prepareUploadedFile(name: string, content: Uint8Array): PreparedIocFile[] {
  const text = new TextDecoder().decode(content);
  const format = detectFormat(text);
  if (format === "openioc" || format === "unknown") return [{ name, content, validation: validateIocFile(content) }];
  const refuse = (message: string): PreparedIocFile[] => [
    { name, content, validation: { usable: false, iocId: "", title: "", openiocVersion: null, items: 0, supportedItems: 0, diagnostics: [conversionDiagnostic("CNV002", "error", message)] } },
  ];
  let converted;
  try {
    converted = convertToOpenIoc(text, "auto");
  } catch (error) {
    if (error instanceof ConversionInputError) return refuse(`Cannot convert ${format === "misp" ? "MISP" : "STIX"} input: ${error.message}`);
    throw error;
  }
  const skipped = converted.warnings.map((w) => `${w.source}: ${w.message}`);
  if (converted.files.length === 0) return refuse(`Nothing to convert: ${skipped.join("; ") || "no indicators"}`);
  return converted.files.map((file, index) => {
    const xml = new TextEncoder().encode(file.xml);
    const validation = validateIocFile(xml);
    // Warnings about skipped indicators go with the first file, so each is reported once.
    const notes = [...file.warnings.map((w) => `${w.source}: ${w.message}`), ...(index === 0 ? skipped : [])];
    const label = converted.files.length === 1 ? name : `${name} (${index + 1}/${converted.files.length})`;
    return {
      name: label.slice(0, 255),
      content: xml,
      validation: { ...validation, diagnostics: [...notes.map((n) => conversionDiagnostic("CNV001", "warning", n)), ...validation.diagnostics] },
    };
  });
}
