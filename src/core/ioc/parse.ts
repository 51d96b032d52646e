/**
 * The OpenIOC reader: OpenIOC 1.0 and 1.1 text -> one normalised {@link IocDocument} plus
 * diagnostics. Content problems never throw; they become coded, located diagnostics.
 *
 * @example
 * ```ts
 * const { document, diagnostics } = parseIoc(bytes);
 * if (document && !hasErrors(diagnostics)) console.log(document.title);
 * ```
 *
 * @module
 */
import { decodeIocBytes } from "./decode.js";
import { diagnostic, type Diagnostic } from "./diagnostics.js";
import type { IocDocument, IocParameter, OpenIocVersion } from "./model.js";
import { readIndicatorTree } from "./read-indicators.js";
import { readMetadata } from "./read-metadata.js";
import { readParameters } from "./read-parameters.js";
import { child, type ReadContext } from "./read-context.js";
import { parseXmlTree } from "./xml-tree.js";

/** Namespace URIs of the two versions. */
export const OPENIOC_NAMESPACES = {
  "1.0": "http://schemas.mandiant.com/2010/ioc",
  "1.1": "http://openioc.org/schemas/OpenIOC_1.1",
} as const satisfies Record<OpenIocVersion, string>;

/** Default size limit: Kaspersky caps IOC files at 3 MB; the largest real one is 282 KB. */
export const DEFAULT_MAX_BYTES = 10 * 1024 * 1024;
/** Default element depth limit; real files reach 12 (7 Indicator levels plus wrappers). */
export const DEFAULT_MAX_DEPTH = 100;

/** Limits for untrusted input. */
export interface ParseIocOptions {
  /** Largest accepted file, in bytes (default {@link DEFAULT_MAX_BYTES}). */
  readonly maxBytes?: number;
  /** Deepest accepted element nesting (default {@link DEFAULT_MAX_DEPTH}). */
  readonly maxDepth?: number;
}

/**
 * The reader's result. `document` is undefined when the input is not an IOC at all; when it is
 * present but `diagnostics` holds an error, the IOC must not be evaluated.
 */
export interface ParseIocResult {
  readonly document?: IocDocument;
  readonly diagnostics: readonly Diagnostic[];
}

/** Reads one OpenIOC file from its bytes (preferred: the encoding is detected) or its text. */
export function parseIoc(source: string | Uint8Array, options: ParseIocOptions = {}): ParseIocResult {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  const size = typeof source === "string" ? source.length : source.byteLength;
  if (size > maxBytes) {
    return failed(diagnostic("IOC004", `The file is ${size} bytes, larger than the limit of ${maxBytes} bytes`));
  }
  let text: string;
  if (typeof source === "string") {
    text = source.startsWith("\uFEFF") ? source.slice(1) : source;
  } else {
    const decoded = decodeIocBytes(source);
    if (!decoded.ok) return failed(decoded.diagnostic);
    text = decoded.text;
  }
  if (text.trim() === "") return failed(diagnostic("IOC001", "The file is empty"));

  const tree = parseXmlTree(text, { maxDepth: options.maxDepth ?? DEFAULT_MAX_DEPTH });
  if (!tree.ok) return failed(tree.diagnostic);
  const root = tree.root;

  const version: OpenIocVersion | undefined =
    root.local === "ioc" ? "1.0" : root.local === "OpenIOC" ? "1.1" : undefined;
  if (!version) {
    return failed(
      diagnostic(
        "IOC002",
        `Not an OpenIOC document: the root element is "${root.local}", expected "ioc" (1.0) or "OpenIOC" (1.1)`,
        root.position,
      ),
    );
  }

  const diagnostics: Diagnostic[] = [];
  const context: ReadContext = { version, diagnostics };
  const expected = OPENIOC_NAMESPACES[version];
  if (root.uri !== expected) {
    const found = root.uri === "" ? "no namespace" : `namespace "${root.uri}"`;
    diagnostics.push(
      diagnostic("IOC016", `The root element has ${found}; OpenIOC ${version} uses "${expected}" (read anyway)`, root.position),
    );
  }

  const parameters = readParameters(root, context);
  const logic = child(root, "criteria") ?? child(root, "definition");
  if (logic && logic.local !== (version === "1.1" ? "criteria" : "definition")) {
    diagnostics.push(
      diagnostic("IOC014", `OpenIOC ${version} names its logic "${version === "1.1" ? "criteria" : "definition"}", not "${logic.local}"`, logic.position),
    );
  }
  const logicTree = logic ? readIndicatorTree(logic, parameters, context) : undefined;
  const criteria = logicTree?.criteria;
  if (!criteria) {
    diagnostics.push(diagnostic("IOC007", "The IOC has no indicator logic: no Indicator under definition (1.0) or criteria (1.1)", (logic ?? root).position));
  }

  const document: IocDocument = {
    version,
    ...readMetadata(root, context),
    ...(criteria ? { criteria } : {}),
    parameters: inDocumentOrder([...parameters, ...(logicTree?.inlineParameters ?? [])]),
    position: root.position,
  };
  return { document, diagnostics };
}

function inDocumentOrder(parameters: IocParameter[]): IocParameter[] {
  return parameters.sort((a, b) => a.position.line - b.position.line || a.position.column - b.position.column);
}

function failed(problem: Diagnostic): ParseIocResult {
  return { diagnostics: [problem] };
}
