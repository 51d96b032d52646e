/**
 * Type names as OpenIOC files and term lists spell them (`Content/@type`, iocterms
 * `display-type`) → the value types iocscan compares with.
 *
 * @module
 */
import type { ValueType } from "./types.js";

const TYPE_NAMES: Readonly<Record<string, ValueType>> = {
  string: "string",
  md5: "md5",
  sha1: "sha1",
  sha256: "sha256",
  int: "int",
  uint64: "uint64",
  float: "float",
  double: "float",
  date: "date",
  datetime: "date",
  ip: "ip",
  bool: "bool",
  boolean: "bool",
  duration: "duration",
};

/** The value type a type name stands for (any case, surrounding blanks ignored); undefined when unknown. */
export function valueTypeOfName(name: string): ValueType | undefined {
  return TYPE_NAMES[name.trim().toLowerCase()];
}
