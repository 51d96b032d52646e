/**
 * RFC 4122 version-5 UUIDs: the same name gives the same id, so converting the same IOC twice
 * gives the same STIX ids.
 *
 * @module
 */
import { createHash } from "node:crypto";

/** The namespace of iocscan's STIX ids: a fixed UUID chosen once; changing it changes every exported id. */
export const IOCSCAN_NAMESPACE = "8f1f7a5e-4c7b-5d0e-9a51-2f3b6f2c9d11";

/**
 * A version-5 UUID of `name` in `namespace`.
 *
 * @example
 * uuid5("ioc-1"); // always the same
 */
export function uuid5(name: string, namespace: string = IOCSCAN_NAMESPACE): string {
  const hash = createHash("sha1").update(Buffer.from(namespace.replace(/-/g, ""), "hex")).update(name, "utf8").digest();
  const bytes = hash.subarray(0, 16);
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x50;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = bytes.toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** True for a UUID in its canonical text form. */
export const isUuid = (text: string): boolean => UUID.test(text);
