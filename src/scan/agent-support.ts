/**
 * What the endpoint agent (src/agent) needs from below the scan layer, re-exported here because
 * the layering lets the agent import the scan but not the actions or collectors directly: the
 * quarantine store (inventory, restore and delete commands) and this computer's OS name.
 *
 * @module
 */
import { createHostView } from "../collectors/host-view.js";
import { readOsName } from "./os-name.js";

export {
  defaultQuarantineDir,
  deleteEntry,
  listEntries,
  openQuarantine,
  restoreEntry,
  type QuarantineEntry,
  type QuarantineStore,
} from "../actions/quarantine/index.js";

/** This computer's OS name as reports give it ("Debian GNU/Linux 12 (bookworm)"). */
export function thisHostOsName(): Promise<string> {
  return readOsName(createHostView("/"));
}
