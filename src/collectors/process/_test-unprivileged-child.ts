/**
 * Test helper run as a child process as another user: runs the process collector with every
 * field and prints, as JSON, the record of the pid given as argv[2], the warnings about it, and
 * the counts.
 *
 * @module
 */
import { createHostView } from "../host-view.js";
import { collectAll, createTestContext } from "../test-context.js";
import { processCollector } from "./process.js";

const pid = Number(process.argv[2]);
const context = createTestContext(createHostView(), processCollector.fields);
const records = await collectAll(processCollector, context, undefined);
const own = records.find((r) => r.fields["pid"] === process.pid);
process.stdout.write(
  JSON.stringify({
    record: records.find((r) => r.fields["pid"] === pid),
    warnings: context.warnings.filter((w) => w.path === `/proc/${pid}`),
    ownHandles: own?.fields["HandleList/Handle/Name"],
    processesSeen: context.counts.get("processesSeen"),
    records: records.length,
  }),
);
