/**
 * Test helper run as a child process (as another user): collects FileItem records with SHA-256
 * under the scope given as argv[2] and prints ids, warnings and counts as JSON on stdout.
 *
 * @module
 */
import { createTestContext } from "../test-context.js";
import { createHostView } from "../host-view.js";
import { fileCollector } from "./file.js";

const scope = process.argv[2];
if (scope === undefined) throw new Error("usage: _test-walk-child.ts SCOPE");
const context = createTestContext(createHostView(), ["Sha256sum"]);
const ids: string[] = [];
for await (const record of fileCollector.collect(context, { scopes: [scope] })) ids.push(record.id);
process.stdout.write(JSON.stringify({ ids: ids.sort(), warnings: context.warnings, counts: Object.fromEntries(context.counts) }));
