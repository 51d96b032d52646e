/**
 * Deterministic GUIDs for elements the 1.1 schema requires an id on but the model has none for
 * (a 1.0 `Comment` becomes a `param`, which needs `@id`). Random ids would make the output differ
 * on every run; a name-based id keeps the writer a pure function of its input.
 *
 * @module
 */
import { createHash } from "node:crypto";

/**
 * A version-5-style UUID (SHA-1 of the parts, RFC 4122 layout) for the given parts.
 *
 * @example
 * stableId(["doc-id", "item-id", "comment", "0"]); // "3f0c…-…" — always the same for the same parts
 */
export function stableId(parts: readonly string[]): string {
  const hash = createHash("sha1").update(parts.join("\u0000"), "utf8").digest();
  const bytes = hash.subarray(0, 16);
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x50;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = bytes.toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}
