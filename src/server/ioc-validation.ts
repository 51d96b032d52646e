/**
 * What the server checks of an IOC file before storing it: the reader's and the semantic checks
 * of src/core/ioc, with line and column per diagnostic. A file with an error is unusable.
 *
 * @module
 */
import { createHash } from "node:crypto";
import { checkIoc, hasErrors, parseIoc } from "../core/ioc/index.js";
import type { IocValidation } from "../store/fleet/index.js";

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
