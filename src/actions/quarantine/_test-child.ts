/**
 * Test helper run as a child process (killed at a step, or run as another user): opens the store
 * given as argv[3] and quarantines (argv[2] = "quarantine", argv[4] = path) or restores
 * (argv[2] = "restore", argv[4] = id, argv[5] = destination), printing the result as JSON.
 *
 * @module
 */
import { openQuarantine, quarantineFile, restoreEntry } from "./index.js";

const [op, dir, target, to] = process.argv.slice(2);
if (dir === undefined || target === undefined) throw new Error("usage: _test-child.ts quarantine|restore STORE PATH|ID [TO]");
const store = await openQuarantine({ dir, retention: false });
const result =
  op === "restore"
    ? await restoreEntry(store, target, to === undefined ? {} : { to })
    : await quarantineFile(store, target, { iocId: "ioc-crash", iocTitle: "Crash test", scanId: "scan-crash" });
process.stdout.write(JSON.stringify(result));
