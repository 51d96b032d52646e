/**
 * Removes source positions (and `undefined` members) from a parsed or generated model, so two
 * documents can be compared for what they say rather than where it was written.
 */
export function stripPositions(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stripPositions);
  if (value === null || typeof value !== "object") return value;
  const out: Record<string, unknown> = {};
  for (const [key, member] of Object.entries(value)) {
    if (key === "position" || key === "valuePosition" || member === undefined) continue;
    out[key] = stripPositions(member);
  }
  return out;
}
