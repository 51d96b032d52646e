/**
 * Vitest global setup: every iocscan the tests start keeps its default state (results database,
 * hash and IOC caches, checkpoints, quarantine, agent state) in a temp folder of this run,
 * through IOCSCAN_STATE_DIR, never in /var/lib/iocscan or the user's state folder. Workers and
 * the processes they spawn inherit the variable.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export default function setup(): () => void {
  const state = mkdtempSync(join(tmpdir(), "iocscan-test-state-"));
  process.env["IOCSCAN_STATE_DIR"] = state;
  return () => rmSync(state, { recursive: true, force: true });
}
