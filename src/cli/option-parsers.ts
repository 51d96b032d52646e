/**
 * Parsers for option values shared by several commands; each rejects bad input with a message
 * commander prints next to the option's name.
 *
 * @module
 */
import { InvalidArgumentError } from "commander";

/** Collects a repeatable option into an array. */
export function collectValues(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** A regular expression (`--hint`). */
export function parseRegex(text: string): RegExp {
  try {
    return new RegExp(text);
  } catch {
    throw new InvalidArgumentError("not a valid regular expression");
  }
}

/** A positive whole number of bytes (`--max-size`, `--max-hash-size`). */
export function parseByteCount(text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value <= 0) throw new InvalidArgumentError("expected a positive number of bytes");
  return value;
}
