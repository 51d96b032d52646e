/**
 * Which terms are multi-valued inside one record (openioc-semantics 7.3): a file has many strings,
 * a process many handles, a PE many sections. Such a term matches when any element matches, and a
 * snapshot stores it as a JSON array.
 *
 * Decided from the path by rule, plus a short list of containers whose names do not say "List".
 *
 * @module
 */

/**
 * Two-step containers: `Sections/Section/Name` is per section, but `Sections/NumberOfSections`
 * is a single value of the PE. So the container counts only when followed by its element.
 */
const CONTAINER_PAIRS: ReadonlyMap<string, string> = new Map([
  ["Sections", "Section"],
  ["ImportedModules", "Module"],
  ["triggers", "trigger"], // TaskItem (macOS launchd triggers)
  ["machServices", "machService"], // ServiceItem (macOS)
  ["details", "detail"], // eventItem/details/detail/*
]);

/**
 * One-step containers whose names do not end in `List`/`Array`.
 * - `DeviceItem`: a driver owns many device objects (Stuxnet tests four AttachedToDriverName values
 *   on one driver, semantics 7.3).
 * - `DigitalSignature`: a PE may carry several signatures (dual SHA-1/SHA-256 signing, nested
 *   signatures), and semantics 7.3 lists it among the any-element terms.
 * - `grouplist`, `userlist`: lower-case spellings of the `List` rule (UserItem, GroupItem).
 * - `RegistryHives`: SystemRestoreItem/RegistryHives/String, one per hive.
 */
const CONTAINER_STEPS: ReadonlySet<string> = new Set(["DeviceItem", "DigitalSignature", "grouplist", "userlist", "RegistryHives"]);

/**
 * Leaf elements that are themselves array items in the audit XML: `DetectedAnomalies/string`,
 * `Exports/ExportedFunctions/string`, `Entropy/CurveData/float`. Lower case only:
 * `DnsEntryItem/RecordData/String` is one field of one record.
 */
const ARRAY_LEAVES: ReadonlySet<string> = new Set(["string", "float"]);

/** `StringList`, `HandleList`, `networkArray`; case-sensitive so `content-whitelist` is not one. */
const LIST_STEP = /[a-z0-9](List|Array)$/;

/**
 * True when `term`, a canonical term with its document (`FileItem/StringList/string`), names a
 * field that can hold several values in one record. Spellings are compared exactly, so pass the
 * vocabulary's spelling (TermInfo.listValued does).
 *
 * Rules, over the steps after the document:
 * 1. a step that is not the last and ends in `List` or `Array` (`StringList`, `HandleList`,
 *    `PortList`, `networkArray`, `ipArray`, ...);
 * 2. a container pair followed by more steps (`Sections/Section/…`, `ImportedModules/Module/…`);
 * 3. a one-step container followed by more steps (`DeviceItem/…`, `DigitalSignature/…`);
 * 4. a last step named `string` or `float` below some parent step.
 */
export function isListValuedPath(term: string): boolean {
  const steps = term.split("/").slice(1);
  for (let i = 0; i < steps.length; i++) {
    const step = steps[i] ?? "";
    const last = i === steps.length - 1;
    if (last) {
      if (i > 0 && ARRAY_LEAVES.has(step)) return true;
      break;
    }
    if (LIST_STEP.test(step)) return true;
    if (CONTAINER_STEPS.has(step)) return true;
    const element = CONTAINER_PAIRS.get(step);
    if (element !== undefined && steps[i + 1] === element && i + 1 < steps.length - 1) return true;
  }
  return false;
}
