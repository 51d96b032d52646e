/**
 * Typed reads from parsed JSON for the report parsers: absent or null reads as undefined, a value
 * of the wrong type throws a {@link SandboxReportError} naming its JSON path. Sandboxes change
 * their layout between versions, so parsers read what they need field by field rather than
 * validating a whole schema they do not own.
 *
 * @module
 */
import { SandboxReportError } from "./errors.js";

/** A JSON value with the path it was read from. */
export class JsonNode {
  constructor(
    readonly value: unknown,
    readonly path: string,
  ) {}

  /** The child `key` of an object (an absent node when this is absent); throws on a non-object. */
  get(key: string): JsonNode {
    if (this.present && !this.isObject()) throw this.error("an object");
    const v = this.present ? (this.value as Record<string, unknown>)[key] : undefined;
    return new JsonNode(v, /^[A-Za-z_$][\w$]*$/.test(key) ? `${this.path}.${key}` : `${this.path}[${JSON.stringify(key)}]`);
  }

  /** Walks several keys. */
  at(...keys: string[]): JsonNode {
    return keys.reduce<JsonNode>((node, key) => node.get(key), this);
  }

  isObject(): boolean {
    return typeof this.value === "object" && this.value !== null && !Array.isArray(this.value);
  }

  get present(): boolean {
    return this.value !== undefined && this.value !== null;
  }

  /** The elements of an array; [] when absent; throws when present and not an array. */
  items(): JsonNode[] {
    if (!this.present) return [];
    if (!Array.isArray(this.value)) throw this.error("an array");
    return this.value.map((v, i) => new JsonNode(v, `${this.path}[${i}]`));
  }

  /** The members of an object; [] when absent; throws when present and not an object. */
  entries(): [string, JsonNode][] {
    if (!this.present) return [];
    if (!this.isObject()) throw this.error("an object");
    return Object.keys(this.value as object).map((k) => [k, this.get(k)]);
  }

  /** A string, or undefined when absent or empty. */
  str(): string | undefined {
    if (!this.present) return undefined;
    if (typeof this.value === "string") return this.value === "" ? undefined : this.value;
    if (typeof this.value === "number") return String(this.value);
    throw this.error("a string");
  }

  /** A finite number (numeric strings accepted: some sandboxes write scores as text). */
  num(): number | undefined {
    if (!this.present || this.value === "") return undefined;
    const n = typeof this.value === "string" ? Number(this.value) : this.value;
    if (typeof n !== "number" || !Number.isFinite(n)) throw this.error("a number");
    return n;
  }

  bool(): boolean | undefined {
    if (!this.present) return undefined;
    if (typeof this.value !== "boolean") throw this.error("true or false");
    return this.value;
  }

  /** Strings of an array of strings (non-strings are an error, empty strings skipped). */
  strings(): string[] {
    return this.items().flatMap((item) => item.str() ?? []);
  }

  error(expected: string): SandboxReportError {
    return new SandboxReportError(this.path, `expected ${expected}, got ${describe(this.value)}`);
  }
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return "an array";
  if (value === null) return "null";
  if (typeof value === "object") return "an object";
  const text = JSON.stringify(value);
  return text.length > 40 ? `${typeof value} ${text.slice(0, 40)}…` : `${typeof value} ${text}`;
}

/** The root node of a report. */
export function root(report: unknown): JsonNode {
  return new JsonNode(report, "$");
}
